"""Idempotency keys: the first answer to an admin POST, kept for its retries (app/idempotency.py).

`owner` is a hash of the request's Authorization header, so keys are per token without a token
lookup; `request` a hash of what was asked (method, path, query and body). `status` is NULL
while the first request runs.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE idempotency_keys (
            owner      bytea       NOT NULL,
            key        text        NOT NULL,
            request    bytea       NOT NULL,
            created_at timestamptz NOT NULL,
            status     smallint,
            headers    jsonb,
            body       bytea,
            PRIMARY KEY (owner, key)
        )
        """
    )
    op.execute("CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)")


def downgrade() -> None:
    op.execute("DROP TABLE idempotency_keys")
