"""Series visibility: public (listed), unlisted (reachable, not listed) or hidden (nothing about
it or its interviews is public). Series that exist stay public; the API makes new ones hidden
unless asked otherwise. Hiding a series announces its interviews as `interview.hidden`, a new
event type.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"

OLD_TYPES = (
    "'interview.scheduled', 'interview.rescheduled', 'interview.unscheduled', "
    "'interview.published', 'interview.updated', 'interview.withdrawn'"
)
NEW_TYPES = f"{OLD_TYPES}, 'interview.hidden'"


def _event_type_checks(types: str) -> None:
    op.execute("ALTER TABLE events DROP CONSTRAINT events_type_check")
    op.execute(f"ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type IN ({types}))")
    op.execute("ALTER TABLE webhooks DROP CONSTRAINT webhooks_event_types_check")
    op.execute(
        "ALTER TABLE webhooks ADD CONSTRAINT webhooks_event_types_check "
        f"CHECK (event_types <@ ARRAY[{types}])"
    )


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE series ADD COLUMN visibility text NOT NULL DEFAULT 'public'
            CONSTRAINT series_visibility_check
            CHECK (visibility IN ('public', 'unlisted', 'hidden'))
        """
    )
    _event_type_checks(NEW_TYPES)


def downgrade() -> None:
    op.execute("DELETE FROM events WHERE type = 'interview.hidden'")
    op.execute("UPDATE webhooks SET event_types = array_remove(event_types, 'interview.hidden')")
    _event_type_checks(OLD_TYPES)
    op.execute("ALTER TABLE series DROP COLUMN visibility")
