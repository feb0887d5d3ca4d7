"""The audit trail: who did what to which resource, when, from where, and how it ended.

A record names its token by id and is not tied to it: records outlive what they describe.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE audit_records (
            id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at          timestamptz NOT NULL,
            token_id    uuid,
            action      text        NOT NULL,
            resource    text        NOT NULL,
            resource_id text,
            outcome     smallint    NOT NULL,
            request_id  text,
            client      text        NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX audit_records_at_idx ON audit_records (at, id)")
    op.execute("CREATE INDEX audit_records_token_id_idx ON audit_records (token_id, at, id)")
    op.execute("CREATE INDEX audit_records_resource_id_idx ON audit_records (resource_id, at, id)")


def downgrade() -> None:
    op.execute("DROP TABLE audit_records")
