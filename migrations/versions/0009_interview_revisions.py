"""Interview revisions: every change to an interview keeps the whole interview as it then stood.

`state` is the admin Interview as the API encodes it (structured JSON, never rendered HTML), so a
revision can be read, compared and restored without the tables it came from. `action` says what
made the revision (created, edited, a status change, restored); only an `edited` revision takes
later saves folded into it, and then `updated_at` is the time of the last save folded in.
A revision names its token by id without a foreign key, like an audit record: revisions outlive
the token that made them. Revisions die with their interview.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE interview_revisions (
            interview_id uuid        NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
            number       integer     NOT NULL,
            action       text        NOT NULL
                CHECK (action IN ('created', 'edited', 'status', 'restored')),
            summary      text        NOT NULL,
            token_id     uuid,
            created_at   timestamptz NOT NULL,
            updated_at   timestamptz NOT NULL,
            state        jsonb       NOT NULL,
            PRIMARY KEY (interview_id, number)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE interview_revisions")
