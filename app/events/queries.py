"""SQL for the worker's side of the event outbox (app.outbox): claiming what is due,
and marking it dispatched."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.outbox import InterviewEvent


class DueEvent(msgspec.Struct):
    """An event whose time has come, as the outbox holds it."""

    id: UUID
    occurred_at: datetime  # when it is due: a scheduled publication happens at its time
    event: InterviewEvent


async def claim_due_events(db: asyncpg.Connection, now: datetime, limit: int) -> list[DueEvent]:
    """Due events, locked for this transaction; other workers skip them."""
    rows = await db.fetch(
        """
        SELECT id, due_at AS occurred_at,
               jsonb_build_object('type', type, 'interview_id', interview_id,
                                  'previous_slug', previous_slug) AS event
          FROM events
         WHERE dispatched_at IS NULL AND due_at <= $1
         ORDER BY due_at, id
         LIMIT $2
           FOR UPDATE SKIP LOCKED
        """,
        now,
        limit,
    )
    return [msgspec.convert(row, DueEvent, from_attributes=True) for row in rows]


async def mark_dispatched(db: asyncpg.Connection, event_ids: list[UUID], now: datetime) -> None:
    await db.execute("UPDATE events SET dispatched_at = $2 WHERE id = ANY ($1)", event_ids, now)


async def select_subscribed_types(db: asyncpg.Connection) -> set[str]:
    """The event types some active webhook is sent."""
    rows = await db.fetch("SELECT DISTINCT unnest(event_types) AS type FROM webhooks WHERE active")
    return {row["type"] for row in rows}
