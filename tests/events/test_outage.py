"""The worker while the database is away: rounds that back off (1 s, doubling, at most 30 s)
with one line in the log when it goes and one when it is back, not a traceback every poll.

The database really goes away: the worker's pool reaches PostgreSQL through a TCP relay
(tests/relay.py) that the test closes (cutting every connection through it, refusing new ones)
and opens again. Rounds are driven one at a time, the clock moved by each pause instead of
waiting it."""

import logging
from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest

from app.db import create_pool
from app.events.sending import Sender
from app.events.worker import POLL_SECONDS, work
from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import Headers, Receiver, subscribe
from tests.factories import Client, Json
from tests.helpers import publish
from tests.relay import Relay


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private=True)


@pytest.fixture
async def gate(database_url: str) -> AsyncIterator[Relay]:
    door = Relay(database_url)
    await door.open()
    try:
        yield door
    finally:
        await door.close()


@pytest.fixture
async def gated_pool(gate: Relay) -> AsyncIterator[asyncpg.Pool]:
    """A pool to the test database through the gate."""
    pool = await create_pool(gate.url, 2)
    try:
        yield pool
    finally:
        pool.terminate()


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the worker said about the database (failed attempts are told at INFO)."""
    return [
        r for r in caplog.records if r.name.startswith("colloquy") and r.levelno >= logging.WARNING
    ]


async def test_the_worker_backs_off_while_the_database_is_away_with_one_line_each_way(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
    gate: Relay,
    gated_pool: asyncpg.Pool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await subscribe(client, admin, receiver.url, ["interview.published"])
    async with Sender(gated_pool, clock, True) as sender:
        assert await work(gated_pool, clock, settings, sender) == POLL_SECONDS

        await gate.close()
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            pauses = []
            for _ in range(9):
                pauses.append(await work(gated_pool, clock, settings, sender))
                clock.advance(seconds=pauses[-1])
            assert pauses == [1, 2, 4, 8, 16, 30, 30, 30, 30]
            [gone] = outage_lines(caplog)
            assert gone.levelno == logging.ERROR
            assert "database unavailable" in gone.getMessage()
            assert gone.exc_info is None  # one line, no traceback

            # Back: the round works again, says so once, and polls as usual.
            await gate.open()
            await publish(client, editor, interview)
            assert await work(gated_pool, clock, settings, sender) == POLL_SECONDS
            await receiver.wait_for(1)
            assert await work(gated_pool, clock, settings, sender) == POLL_SECONDS
        _, back = outage_lines(caplog)
        assert back.getMessage() == f"database available again after {sum(pauses):.0f} s"


async def test_an_attempt_that_cannot_be_recorded_is_sent_again_after_its_lease(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
    gate: Relay,
    gated_pool: asyncpg.Pool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The database goes away while a delivery is in flight: its attempt is not recorded, the
    outage is logged once, and the delivery (still leased) goes out again when the lease runs
    out: at least once."""
    receiver.mode = "hang"
    await subscribe(client, admin, receiver.url, ["interview.published"])
    await publish(client, editor, interview)
    async with Sender(gated_pool, clock, True, timeout=1.0) as sender:
        assert await work(gated_pool, clock, settings, sender) == POLL_SECONDS
        await receiver.wait_for(1)
        receiver.mode = "ok"  # for the next request; this one hangs on
        await gate.close()
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            await sender.drain()  # the attempt times out, and its record fails
            [gone] = outage_lines(caplog)
            assert "database unavailable" in gone.getMessage()
            assert await work(gated_pool, clock, settings, sender) == 2  # backing off
            assert len(outage_lines(caplog)) == 1

        await gate.open()
        assert await work(gated_pool, clock, settings, sender) == POLL_SECONDS
        await sender.drain()
        assert len(receiver.requests) == 1  # still leased
        assert await db.fetchval("SELECT count(*) FROM delivery_attempts") == 0

        clock.advance(minutes=2)
        assert await work(gated_pool, clock, settings, sender) == POLL_SECONDS
        await receiver.wait_for(2)
        await sender.drain()
    assert await db.fetchval("SELECT status FROM deliveries") == "succeeded"
    assert await db.fetchval("SELECT attempts FROM deliveries") == 2
