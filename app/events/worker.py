"""The worker: dispatch due events, send due deliveries, a few times a second, and again
whenever a delivery finishes and leaves room for the next.

It runs inside each service process by default (COLLOQUY_RUN_WORKER) and as `colloquy worker`.
Any number may run against one database: events and deliveries are claimed with row locks
that the others skip. While the database is unavailable it backs off (`Outage`).
"""

import asyncio

import asyncpg

from app.clock import Clock
from app.events.dispatch import dispatch_due
from app.events.sending import DATABASE_ERRORS, TIMEOUT_SECONDS, Sender
from app.settings import Settings
from app.site import Site

POLL_SECONDS = 0.5


async def run_worker(pool: asyncpg.Pool, clock: Clock, settings: Settings) -> None:
    """Work until cancelled."""
    async with Sender(
        pool, clock, settings.webhook_allow_private, timeout=TIMEOUT_SECONDS
    ) as sender:
        while True:
            pause = await work(pool, clock, settings, sender)
            if sender.outage.since is None:
                await sender.idle(pause)
            else:
                await asyncio.sleep(pause)


async def work(pool: asyncpg.Pool, clock: Clock, settings: Settings, sender: Sender) -> float:
    """One round: dispatch what is due, start sending what has room; how long to pause."""
    try:
        while await dispatch_due(pool, clock.now(), settings, Site(settings.base_url)):
            pass
        await sender.start_due()
    except DATABASE_ERRORS as error:
        return sender.outage.failed(error)
    sender.outage.over()
    return POLL_SECONDS
