"""The worker: dispatch due events, send due deliveries, a few times a second.

It runs inside each service process by default (COLLOQUY_RUN_WORKER) and as `colloquy worker`.
Any number may run against one database: events and deliveries are claimed with row locks
that the others skip.
"""

import asyncio
import logging

import asyncpg
import httpx

from app.clock import Clock
from app.content.cards import Site
from app.events.dispatch import dispatch_due
from app.events.sending import TIMEOUT_SECONDS, Sender
from app.settings import Settings

POLL_SECONDS = 0.5
log = logging.getLogger("colloquy.worker")


async def run_worker(pool: asyncpg.Pool, clock: Clock, settings: Settings) -> None:
    """Work until cancelled."""
    site = Site(settings.base_url)
    sender = Sender(pool, clock, settings.webhook_allow_private)
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        try:
            while True:
                try:
                    while await dispatch_due(pool, clock.now(), settings, site):
                        pass
                    await sender.start_due(client)
                except (asyncpg.PostgresError, OSError):
                    log.exception("worker round failed; trying again")
                await asyncio.sleep(POLL_SECONDS)
        finally:
            await sender.drain()
