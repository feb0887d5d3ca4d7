"""What the worker forgets, once an hour: audit records older than COLLOQUY_AUDIT_RETENTION_DAYS,
idempotency keys past their 24 hours (app/idempotency.py ignores those already), and what has been
in the trash for COLLOQUY_TRASH_DAYS."""

import contextlib
from datetime import datetime, timedelta

import asyncpg

from app.audit.queries import delete_records_before
from app.events.sending import DATABASE_ERRORS
from app.idempotency import delete_expired_keys
from app.settings import Settings
from app.trash.queries import purge_trash

EVERY = timedelta(hours=1)


class Retention:
    def __init__(self) -> None:
        self.last: datetime | None = None

    async def forget(self, pool: asyncpg.Pool, now: datetime, settings: Settings) -> None:
        """Delete what is past keeping, if an hour has passed since the last time. An outage
        is left to the worker's round to report; the next hour tries again."""
        if self.last is not None and now - self.last < EVERY:
            return
        self.last = now
        with contextlib.suppress(*DATABASE_ERRORS):
            async with pool.acquire() as db:
                kept_for = timedelta(days=settings.audit_retention_days)
                await delete_records_before(db, now - kept_for)
                await delete_expired_keys(db, now)
                await purge_trash(db, now - timedelta(days=settings.trash_days))
