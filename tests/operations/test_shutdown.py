"""Stopping, in-process: the worker ends the round under way, and the views counted are
written before the pool closes. (The SIGTERM sequence of `colloquy serve` is in test_drain.py.)

Each round here is held up at the webhooks table, which dispatching reads and the test locks;
the lock is let go only once the stop has been asked for."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import asyncpg
import httpx
import pytest

from app.db import create_pool
from app.events.worker import Heartbeat, run_worker
from app.main import create_app
from app.settings import Settings
from tests.conftest import MovableClock
from tests.factories import Headers, Json
from tests.helpers import publish
from tests.logs import Log
from tests.operations.lifespan import running


@pytest.fixture
async def published(client: httpx.AsyncClient, editor: Headers, interview: Json) -> Json:
    """An interview just published: its interview.published event is due."""
    return await publish(client, editor, interview)


@asynccontextmanager
async def webhooks_locked(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection that holds the webhooks table (dispatching waits) until it rolls back."""
    locker = await asyncpg.connect(database_url)
    try:
        await locker.execute("BEGIN; LOCK TABLE webhooks IN ACCESS EXCLUSIVE MODE")
        yield locker
    finally:
        await locker.close()


LOCK_WAITS = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"


async def a_round_is_waiting(db: asyncpg.Connection) -> None:
    for _ in range(500):
        if await db.fetchval(LOCK_WAITS):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no round came to wait at the webhooks within 10 s")


async def dispatched(db: asyncpg.Connection, interview: Json) -> bool:
    return bool(
        await db.fetchval(
            "SELECT dispatched_at IS NOT NULL FROM events "
            "WHERE interview_id = $1 AND type = 'interview.published'",
            interview["id"],
        )
    )


async def test_a_stopped_worker_ends_its_round(
    published: Json,
    db: asyncpg.Connection,
    database_url: str,
    settings: Settings,
    clock: MovableClock,
) -> None:
    pool = await create_pool(database_url, 2)
    stop = asyncio.Event()
    try:
        async with webhooks_locked(database_url) as locker:
            worker = asyncio.create_task(run_worker(pool, clock, settings, Heartbeat(), stop))
            await a_round_is_waiting(db)
            stop.set()
            await locker.execute("ROLLBACK")
        async with asyncio.timeout(10):
            await worker
    finally:
        await pool.close()
    assert await dispatched(db, published)


async def test_the_app_lets_its_worker_end_its_round_and_writes_the_views(
    published: Json,
    db: asyncpg.Connection,
    database_url: str,
    settings: Settings,
    clock: MovableClock,
) -> None:
    """Before: the worker was cancelled mid-round and its dispatch rolled back, to be done
    again by whichever worker came next."""
    service = create_app(settings, clock=clock)  # its own pool, as in `colloquy serve`
    async with webhooks_locked(database_url) as locker:
        async with running(service):
            await a_round_is_waiting(db)
            service.state.views.record(published["id"], date(2026, 11, 26))
            # The lock goes as the app stops. A worker cancelled rather than asked to stop
            # has abandoned its round by the time the lock goes.
            release = asyncio.create_task(locker.execute("ROLLBACK"))
        await release
    assert await dispatched(db, published), "the round under way was abandoned"
    views = await db.fetchval(
        "SELECT sum(views) FROM interview_views WHERE interview_id = $1", published["id"]
    )
    assert views == 1


async def test_lines_written_as_the_app_stops_are_not_left_in_the_buffer(
    settings: Settings, clock: MovableClock
) -> None:
    """The log is flushed last, after the worker and the background tasks have stopped (and
    logged their last records); no timer runs once the server's loop is done."""
    log = Log()
    service = create_app(settings, clock=clock, log=log.writer)

    async def counting(_: object) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            log.writer.write(b'{"message":"views written"}\n')

    service.state.views.run = counting
    async with running(service):
        pass
    assert log.stream.getvalue() == '{"message":"views written"}\n'
