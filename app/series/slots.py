"""A series' upcoming slots and the interviews that take them.

An interview takes a slot when it is to appear then: it is scheduled (or published) with that
`publish_at`. Several can share one when an editor confirmed it; the slot shows the oldest.
"""

from datetime import datetime
from uuid import UUID

import asyncpg

from app.publication import EFFECTIVE_STATUS
from app.series.cadence import search_slots, wall_clock
from app.series.schemas import Cadence, Slot, SlotInterview


async def select_slot_interviews(
    db: asyncpg.Connection, series_id: UUID, times: list[datetime], now: datetime
) -> dict[datetime, SlotInterview]:
    """The interview in each of these slots that has one; its status is the effective one."""
    rows = await db.fetch(
        f"""
        SELECT DISTINCT ON (i.publish_at) i.publish_at, i.id, i.slug, i.title,
               {EFFECTIVE_STATUS} AS status
          FROM interviews i
         WHERE i.series_id = $2
           AND i.status IN ('scheduled', 'published')
           AND i.publish_at = ANY($3::timestamptz[])
         ORDER BY i.publish_at, i.created_at, i.id
        """,
        now,
        series_id,
        times,
    )
    return {
        row["publish_at"]: SlotInterview(
            id=row["id"], slug=row["slug"], title=row["title"], status=row["status"]
        )
        for row in rows
    }


async def select_takers(
    db: asyncpg.Connection, series_id: UUID, since: datetime, other_than: UUID
) -> dict[datetime, str]:
    """The title of an interview (not `other_than`) in each slot from `since` on."""
    rows = await db.fetch(
        """
        SELECT DISTINCT ON (publish_at) publish_at, title
          FROM interviews
         WHERE series_id = $1
           AND status IN ('scheduled', 'published')
           AND publish_at >= $2
           AND id <> $3
         ORDER BY publish_at, created_at, id
        """,
        series_id,
        since,
        other_than,
    )
    return {row["publish_at"]: row["title"] for row in rows}


async def upcoming_slots(
    db: asyncpg.Connection,
    series_id: UUID,
    cadence: Cadence,
    created_at: datetime,
    start: datetime,
    count: int,
    now: datetime,
) -> list[Slot]:
    """The first `count` slots at or after `start`, each with the interview in it or None."""
    times = await search_slots(cadence, created_at, start, count)
    taken = await select_slot_interviews(db, series_id, times, now)
    return [
        Slot(publish_at=at, local=wall_clock(at, cadence.timezone), interview=taken.get(at))
        for at in times
    ]
