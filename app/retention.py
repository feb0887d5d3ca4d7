"""What the worker forgets, once an hour: audit records older than COLLOQUY_AUDIT_RETENTION_DAYS,
idempotency keys past their 24 hours (app/idempotency.py ignores those already), what has been
in the trash for COLLOQUY_TRASH_DAYS, view beacon limits past their window, and CDN purges that
failed for good a week before."""

import logging
from datetime import datetime, timedelta

import asyncpg

from app.audit.queries import delete_records_before
from app.cdn.purging import forget_failed_purges
from app.content.view_counter import forget_view_limits
from app.errors import DATABASE_UNAVAILABLE
from app.idempotency import delete_expired_keys
from app.settings import Settings
from app.trash.queries import purge_trash

EVERY = timedelta(hours=1)

log = logging.getLogger("colloquy.retention")


class Retention:
    def __init__(self) -> None:
        self.last: datetime | None = None

    async def forget(self, pool: asyncpg.Pool, now: datetime, settings: Settings) -> None:
        """Delete what is past keeping, if an hour has passed since the last time. An outage
        is left to the worker's round to report, and any failure waits for the next hour: what
        is kept a little longer harms nothing, a worker stopped by it would."""
        if self.last is not None and now - self.last < EVERY:
            return
        self.last = now
        try:
            async with pool.acquire() as db:
                kept_for = timedelta(days=settings.audit_retention_days)
                await delete_records_before(db, now - kept_for)
                await delete_expired_keys(db, now)
                await purge_trash(db, now - timedelta(days=settings.trash_days))
                await forget_view_limits(db, now)
                await forget_failed_purges(db, now)
        except DATABASE_UNAVAILABLE:
            pass
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("forgetting what is past keeping failed; next try in an hour: %s", error)
