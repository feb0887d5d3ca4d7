"""Preview tokens: a link to an interview as readers will see it, before they can.

Only a hash of each token is kept, as for API tokens. A token dies with its interview (ON DELETE
CASCADE) and is refused after `expires_at`; expired rows are deleted when the next token is
issued.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE preview_tokens (
            token_hash   bytea       PRIMARY KEY,
            interview_id uuid        NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
            created_by   uuid        REFERENCES tokens (id) ON DELETE SET NULL,
            created_at   timestamptz NOT NULL,
            expires_at   timestamptz NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX preview_tokens_interview_id_idx ON preview_tokens (interview_id)")
    op.execute("CREATE INDEX preview_tokens_expires_at_idx ON preview_tokens (expires_at)")


def downgrade() -> None:
    op.execute("DROP TABLE preview_tokens")
