"""View counts for the popular section: limited per client in the database, counted in memory,
flushed often.

Each client may count one view per interview per half hour, and send at most a burst of beacons
a minute before it gets 429. Those limits are kept in the database (two unlogged tables, one
statement each per beacon), so that they hold across the processes of COLLOQUY_WORKERS and across
instances; the counts themselves are summed in memory, and a background task adds them to the
database every few seconds in one statement.
"""

import asyncio
import contextlib
import time
from datetime import date, datetime, timedelta
from uuid import UUID

import asyncpg

from app.content.queries import add_views

FLUSH_SECONDS = 5.0
REPEAT = timedelta(minutes=30)
CLIENT_BURST = 60
CLIENT_WINDOW = timedelta(minutes=1)


async def retry_after(db: asyncpg.Connection, client: str, now: datetime) -> int:
    """0 if the client may send a beacon now, else the seconds until it may."""
    window_start, requests = await db.fetchrow(
        """
        INSERT INTO view_clients AS c (client, window_start, requests) VALUES ($1, $2, 1)
        ON CONFLICT (client) DO UPDATE
           SET (window_start, requests) = (
                   SELECT CASE WHEN c.window_start <= $2 - $3::interval THEN $2
                               ELSE c.window_start END,
                          CASE WHEN c.window_start <= $2 - $3::interval THEN 1
                               ELSE c.requests + 1 END)
        RETURNING window_start, requests
        """,
        client,
        now,
        CLIENT_WINDOW,
    )
    if requests <= CLIENT_BURST:
        return 0
    window_end: datetime = window_start + CLIENT_WINDOW
    return max(1, round((window_end - now).total_seconds()))


async def first_in_half_hour(
    db: asyncpg.Connection, client: str, interview_id: UUID, now: datetime
) -> bool:
    """Mark the client's view of the interview, unless its last one is recent."""
    marked = await db.fetchval(
        """
        INSERT INTO view_marks AS m (client, interview_id, counted_at) VALUES ($1, $2, $3)
        ON CONFLICT (client, interview_id) DO UPDATE SET counted_at = excluded.counted_at
         WHERE m.counted_at <= excluded.counted_at - $4::interval
        RETURNING true
        """,
        client,
        interview_id,
        now,
        REPEAT,
    )
    return marked is not None


async def forget_view_limits(db: asyncpg.Connection, now: datetime) -> None:
    """Drop the windows and marks that no longer hold anyone back."""
    await db.execute("DELETE FROM view_clients WHERE window_start <= $1", now - CLIENT_WINDOW)
    await db.execute("DELETE FROM view_marks WHERE counted_at <= $1", now - REPEAT)


class ViewCounter:
    def __init__(self) -> None:
        self.flushed_at = time.monotonic()  # when the counts were last all written
        self.pending: dict[tuple[UUID, date], int] = {}

    def record(self, interview_id: UUID, day: date) -> None:
        self.pending[(interview_id, day)] = self.pending.get((interview_id, day), 0) + 1

    async def flush(self, pool: asyncpg.Pool) -> None:
        if not self.pending:
            self.flushed_at = time.monotonic()
            return
        counts, self.pending = self.pending, {}
        try:
            async with pool.acquire() as db:
                await add_views(db, counts)
        except BaseException:
            for key, views in counts.items():  # keep them for the next flush
                self.pending[key] = self.pending.get(key, 0) + views
            raise
        self.flushed_at = time.monotonic()

    async def run(self, pool: asyncpg.Pool) -> None:
        """Flush every few seconds until cancelled, then once more."""
        try:
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                with contextlib.suppress(asyncpg.PostgresError, OSError):
                    await self.flush(pool)
        finally:
            with contextlib.suppress(asyncpg.PostgresError, OSError):
                await self.flush(pool)
