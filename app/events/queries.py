"""SQL for the event outbox: written with the change, dispatched once by the worker."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec


class Event(msgspec.Struct):
    id: UUID
    type: str
    interview_id: UUID
    occurred_at: datetime


async def insert_event(
    db: asyncpg.Connection,
    event_type: str,
    interview_id: UUID,
    now: datetime,
    due_at: datetime | None = None,
) -> None:
    """Record an event; `due_at` defers it (a scheduled publication is due at its time)."""
    await db.execute(
        """
        INSERT INTO events (type, interview_id, occurred_at, due_at)
        VALUES ($1, $2, $3::timestamptz, coalesce($4::timestamptz, $3::timestamptz))
        """,
        event_type, interview_id, now, due_at,
    )  # fmt: skip


async def cancel_pending_publication(
    db: asyncpg.Connection, interview_id: UUID, now: datetime | None
) -> None:
    """Drop the scheduled publication that has not happened yet (unscheduled or moved).

    One whose time has come happened, announced or not, and still goes out; with `now`
    None (the interview is deleted) every pending one goes."""
    await db.execute(
        """
        DELETE FROM events
         WHERE interview_id = $1 AND type = 'interview.published' AND dispatched_at IS NULL
           AND ($2::timestamptz IS NULL OR due_at > $2)
        """,
        interview_id, now,
    )  # fmt: skip


async def claim_due_events(db: asyncpg.Connection, now: datetime, limit: int) -> list[Event]:
    """Due events, locked for this transaction; other workers skip them."""
    rows = await db.fetch(
        """
        SELECT id, type, interview_id, due_at AS occurred_at FROM events
         WHERE dispatched_at IS NULL AND due_at <= $1
         ORDER BY due_at, id
         LIMIT $2
           FOR UPDATE SKIP LOCKED
        """,
        now, limit,
    )  # fmt: skip
    return [msgspec.convert(row, Event, from_attributes=True) for row in rows]


async def mark_dispatched(db: asyncpg.Connection, event_id: UUID, now: datetime) -> None:
    await db.execute("UPDATE events SET dispatched_at = $2 WHERE id = $1", event_id, now)
