"""`colloquy worker` as a real process, killed with SIGKILL and started again: what was
committed still goes out, and goes out once."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import asyncpg
import msgspec
import pytest

from app.settings import Settings
from tests.events import Headers, Receiver, deliveries_of, draft, receiving, subscribe
from tests.factories import Client, Json
from tests.helpers import publish

pytestmark = pytest.mark.slow

COLLOQUY = Path(sys.executable).parent / "colloquy"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private=True)


@asynccontextmanager
async def worker_process(settings: Settings) -> AsyncIterator[asyncio.subprocess.Process]:
    """A worker on the test database, on the real clock (the test data is due by then)."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "COLLOQUY_BASE_URL": settings.base_url,
        "COLLOQUY_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    process = await asyncio.create_subprocess_exec(
        str(COLLOQUY), "worker", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            process.kill()
        await asyncio.wait_for(process.wait(), 10)


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(process.wait(), 10)


async def settled(db: asyncpg.Connection, webhook_id: str, count: int = 1) -> list[asyncpg.Record]:
    """The webhook's `count` deliveries once they have all succeeded (within 10 s)."""
    for _ in range(100):
        deliveries = await deliveries_of(db, webhook_id)
        if len(deliveries) == count and all(d["status"] == "succeeded" for d in deliveries):
            return deliveries
        await asyncio.sleep(0.1)
    raise AssertionError(f"expected {count} succeeded deliveries: {deliveries}")


async def test_an_event_committed_before_a_crash_goes_out_after_restart_once(
    client: Client,
    admin: Headers,
    editor: Headers,
    interview: Json,
    receiver: Receiver,
    settings: Settings,
    db: asyncpg.Connection,
    series: Json,
    lauri: Json,
) -> None:
    hook = await subscribe(client, admin, receiver.url, ["interview.published"])
    # The event is committed with the publication; no worker runs: as if the service had died.
    await publish(client, editor, interview)

    async with worker_process(settings) as first:
        await receiver.wait_for(1, seconds=30)
        await settled(db, hook["id"])
        await kill(first)
    # A later publication that the fresh worker sends shows it has run the rounds in which it
    # would have sent the first again: it dispatches and claims oldest first, and counts an
    # attempt when it claims one. (Its clock is the real one: it cannot be moved from here.)
    later = await publish(
        client, editor, await draft(client, editor, series, lauri, "Zara Aliyeva")
    )
    async with worker_process(settings):
        await receiver.wait_for(2, seconds=30)
        deliveries = await settled(db, hook["id"], count=2)
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("succeeded", 1)] * 2
    bodies = [msgspec.json.decode(r.body) for r in receiver.requests]
    assert [b["interview"]["id"] for b in bodies] == [interview["id"], later["id"]]


async def test_a_delivery_cut_off_by_a_crash_is_sent_again_after_its_lease(
    client: Client,
    admin: Headers,
    editor: Headers,
    interview: Json,
    settings: Settings,
    db: asyncpg.Connection,
) -> None:
    async with receiving("hang") as receiver:
        hook = await subscribe(client, admin, receiver.url, ["interview.published"])
        await publish(client, editor, interview)
        async with worker_process(settings) as worker:
            await receiver.wait_for(1, seconds=30)  # mid-delivery
            await kill(worker)
        [cut_off] = await deliveries_of(db, hook["id"])
        assert (cut_off["status"], cut_off["attempts"]) == ("pending", 1)

        # The lease (two minutes) runs out; the receiver has come back to health.
        await db.execute(
            "UPDATE deliveries SET next_attempt_at = now() - interval '1 second' WHERE id = $1",
            cut_off["id"],
        )
        receiver.mode = "ok"
        receiver.release()
        async with worker_process(settings):
            requests = await receiver.wait_for(2, seconds=30)
            [delivery] = await settled(db, hook["id"])
    first, second = requests
    # At least once: the receiver dedupes by the event id, which both attempts carry.
    assert first.headers["colloquy-event-id"] == second.headers["colloquy-event-id"]
    assert first.body == second.body
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 2)
