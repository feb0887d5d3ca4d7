"""View counts for the popular section: counted in memory, bounded per client, flushed often.

A view is one increment in a dict; a background task adds the counts to the database every
few seconds in one statement. Each client may count one view per interview per half hour,
and send at most a burst of requests a minute before it gets 429.
"""

import asyncio
import contextlib
import time
from collections import OrderedDict
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from app.content.queries import add_views

FLUSH_SECONDS = 5.0
REPEAT_SECONDS = 30 * 60
CLIENT_BURST = 60
CLIENT_WINDOW_SECONDS = 60.0
MAX_TRACKED = 100_000


class ViewCounter:
    def __init__(self) -> None:
        self.flushed_at = time.monotonic()  # when the counts were last all written
        self.pending: dict[tuple[UUID, date], int] = {}
        # (client, interview) -> when its view last counted; oldest first, trimmed to a bound.
        self.seen: OrderedDict[tuple[str, UUID], float] = OrderedDict()
        # client -> (start of its current window, requests in it)
        self.clients: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def retry_after(self, client: str) -> int:
        """0 if the client may send a view now, else the seconds until it may."""
        now = time.monotonic()
        start, count = self.clients.pop(client, (now, 0))
        if now - start >= CLIENT_WINDOW_SECONDS:
            start, count = now, 0
        self.clients[client] = (start, count + 1)
        _trim(self.clients)
        if count >= CLIENT_BURST:
            return max(1, round(CLIENT_WINDOW_SECONDS - (now - start)))
        return 0

    def record(self, client: str, interview_id: UUID, day: date) -> bool:
        """Count the view unless this client's last one for the interview is recent."""
        now = time.monotonic()
        key = (client, interview_id)
        last = self.seen.pop(key, None)
        self.seen[key] = now if last is None or now - last >= REPEAT_SECONDS else last
        _trim(self.seen)
        if last is not None and now - last < REPEAT_SECONDS:
            return False
        self.pending[(interview_id, day)] = self.pending.get((interview_id, day), 0) + 1
        return True

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


def _trim(entries: OrderedDict[Any, Any]) -> None:
    while len(entries) > MAX_TRACKED:
        entries.popitem(last=False)
