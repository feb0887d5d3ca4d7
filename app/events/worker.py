"""The worker: dispatch due events, send due deliveries and CDN purges (app/cdn/purging.py), a
few times a second, and again whenever a delivery finishes and leaves room for the next.

It runs inside each service process by default (COLLOQUY_RUN_WORKER) and as `colloquy worker`.
Any number may run against one database: events and deliveries are claimed with row locks
that the others skip. While the database is unavailable it backs off (`Outage`).

It beats a `Heartbeat` as it goes, which readiness checks: a worker stuck in a round (or dead)
makes its process not ready. Asked to stop, it ends the round under way and waits for the
deliveries in flight, so that a shutdown leaves nothing half done that a lease must recover.
"""

import asyncio
from contextlib import suppress
from datetime import datetime, timedelta

import asyncpg

from app.cdn.purging import Purger
from app.cdn.targets import parse_targets
from app.clock import Clock
from app.events.dispatch import dispatch_due
from app.events.sending import DATABASE_ERRORS, TIMEOUT_SECONDS, Sender
from app.retention import Retention
from app.settings import Settings
from app.site import Site

POLL_SECONDS = 0.5


class Heartbeat:
    """When the worker means to start its next round (None: no worker has started here)."""

    def __init__(self) -> None:
        self.due: datetime | None = None

    def beat(self, now: datetime, pause: float = 0.0) -> None:
        self.due = now + timedelta(seconds=pause)

    def late(self, now: datetime) -> timedelta | None:
        """How long past due its next round is; None when no worker runs in this process."""
        return None if self.due is None else max(now - self.due, timedelta(0))


async def run_worker(
    pool: asyncpg.Pool,
    clock: Clock,
    settings: Settings,
    heartbeat: Heartbeat | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Work until `stop` is set, then end the round under way; or until cancelled."""
    heartbeat = heartbeat or Heartbeat()
    stop = stop or asyncio.Event()
    heartbeat.beat(clock.now())
    targets = parse_targets(
        settings.purge_targets, settings.fastly_token, settings.cloudflare_token
    )
    purger = Purger(pool, clock, targets)
    async with Sender(
        pool, clock, settings.webhook_allow_private, timeout=TIMEOUT_SECONDS
    ) as sender:
        retention = Retention()
        while not stop.is_set():
            pause = await work(pool, clock, settings, sender, heartbeat, purger)
            await retention.forget(pool, clock.now(), settings)
            heartbeat.beat(clock.now(), pause)
            if sender.outage.since is None:
                await sender.idle(pause)  # at most POLL_SECONDS, so a stop is seen soon
            else:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
    await purger.drain()
    purger.close()


async def work(
    pool: asyncpg.Pool,
    clock: Clock,
    settings: Settings,
    sender: Sender,
    heartbeat: Heartbeat | None = None,
    purger: Purger | None = None,
) -> float:
    """One round: dispatch what is due, start sending what has room and the due CDN purges;
    how long to pause.

    Each batch dispatched beats the heartbeat: a long backlog is progress, not a stuck worker."""
    try:
        while await dispatch_due(pool, clock.now(), settings, Site.of(settings)):
            if heartbeat is not None:
                heartbeat.beat(clock.now())
        await sender.start_due()
        if purger is not None:
            purger.start_due()
    except DATABASE_ERRORS as error:
        return sender.outage.failed(error)
    sender.outage.over()
    return POLL_SECONDS
