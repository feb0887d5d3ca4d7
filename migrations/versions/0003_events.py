"""Publication events (an outbox), webhook subscriptions and their deliveries.

Events are written in the same transaction as the change they describe. A scheduled
publication is an event due at its publish time; the worker dispatches due events once each
(row locks with SKIP LOCKED), turning each into one delivery per matching subscription and
per WebSub ping.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"

EVENT_TYPES = (
    "'interview.scheduled', 'interview.rescheduled', 'interview.unscheduled', "
    "'interview.published', 'interview.updated', 'interview.withdrawn'"
)

UPGRADE = [
    f"""
    CREATE TABLE events (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        type          text        NOT NULL CHECK (type IN ({EVENT_TYPES})),
        -- No foreign key: the event of a deleted interview is still history.
        interview_id  uuid        NOT NULL,
        occurred_at   timestamptz NOT NULL,
        due_at        timestamptz NOT NULL,
        dispatched_at timestamptz
    )
    """,
    "CREATE INDEX events_due_idx ON events (due_at) WHERE dispatched_at IS NULL",
    "CREATE INDEX events_interview_idx ON events (interview_id, occurred_at)",
    f"""
    CREATE TABLE webhooks (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        url         text        NOT NULL,
        event_types text[]      NOT NULL
            CONSTRAINT webhooks_event_types_check CHECK (event_types <@ ARRAY[{EVENT_TYPES}]),
        active      boolean     NOT NULL DEFAULT true,
        secret      text        NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE deliveries (
        id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id        uuid        NOT NULL REFERENCES events (id),
        webhook_id      uuid        REFERENCES webhooks (id) ON DELETE CASCADE,
        target_url      text        NOT NULL,
        content_type    text        NOT NULL,
        body            bytea       NOT NULL,
        status          text        NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts        integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
    )
    """,
    "CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending'",
    "CREATE INDEX deliveries_webhook_idx ON deliveries (webhook_id, created_at DESC)",
    """
    CREATE TABLE delivery_attempts (
        id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id  uuid        NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        attempted_at timestamptz NOT NULL,
        status_code  integer,
        duration_ms  integer     NOT NULL,
        error        text
    )
    """,
    "CREATE INDEX delivery_attempts_delivery_idx ON delivery_attempts (delivery_id, id)",
]

DOWNGRADE = [
    "DROP TABLE delivery_attempts",
    "DROP TABLE deliveries",
    "DROP TABLE webhooks",
    "DROP TABLE events",
]


def upgrade() -> None:
    # One statement per call: asyncpg prepares each statement.
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
