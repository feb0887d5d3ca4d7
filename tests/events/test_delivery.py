"""Delivery: a scheduled publication reaches subscribers at its time, signed, exactly once per
event however many workers run, and after downtime the worker catches up."""

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec
import pytest

from app.events import dispatch as dispatch_module
from app.events import worker
from app.events.dispatch import dispatch_due
from app.events.sending import Sender
from app.events.worker import run_worker
from app.settings import Settings
from app.site import Site
from tests.conftest import MovableClock
from tests.events import (
    WAIT_SECONDS,
    Headers,
    Receiver,
    deliveries_of,
    dispatch,
    draft,
    receiving,
    send_due,
    subscribe,
    verify_signature,
    worker_round,
)
from tests.factories import Client, Json
from tests.helpers import publish, schedule, unschedule, withdraw


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private=True)


async def stored_status(db: asyncpg.Connection, interview: Json) -> str:
    status: str = await db.fetchval(
        "SELECT status FROM interviews WHERE id = $1", UUID(interview["id"])
    )
    return status


async def test_a_scheduled_interview_is_delivered_at_its_time(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
) -> None:
    hook = await subscribe(client, admin, receiver.url, ["interview.published"])
    publish_at = clock.now() + timedelta(seconds=5)
    await schedule(client, editor, interview, publish_at)
    public = f"/content/v1/interviews/{interview['slug']}"

    # Before its time: the scheduled event is dispatched (nobody subscribed to it), the
    # publication is not, nothing is sent, and the public does not see it.
    for dispatched in (1, 0):
        assert await dispatch(pool, clock, settings) == dispatched
        assert await send_due(pool, clock, settings) == 0
        assert receiver.requests == []
        assert (await client.get(public)).status_code == 404
        assert await stored_status(db, interview) == "scheduled"
        clock.advance(seconds=4.9)
    assert clock.now() > publish_at
    assert (
        await db.fetchval("SELECT dispatched_at FROM events WHERE type = 'interview.published'")
        is None
    )

    # Its time has come: the Content API shows it at once, before any worker.
    page = await client.get(public)
    assert page.status_code == 200, page.text

    assert await dispatch(pool, clock, settings) == 1
    assert await send_due(pool, clock, settings) == 1
    [request] = await receiver.wait_for(1)
    assert request.method == "POST"
    assert request.path == "/hook"
    assert request.headers["content-type"] == "application/json"

    body = msgspec.json.decode(request.body)
    assert set(body) == {"id", "type", "occurred_at", "interview"}
    assert body["type"] == "interview.published"
    assert datetime.fromisoformat(body["occurred_at"]) == publish_at
    assert body["interview"]["id"] == interview["id"]
    assert body["interview"]["slug"] == interview["slug"]
    assert body["interview"]["title"] == interview["title"]
    assert body["interview"]["url"] == f"{settings.base_url}/interviews/{interview['slug']}"
    assert datetime.fromisoformat(body["interview"]["published_at"]) == publish_at
    # The interview as the Content API shows it.
    shown = (await client.get(public)).json()
    assert body["interview"] == shown

    [event] = await db.fetch("SELECT id FROM events WHERE type = 'interview.published'")
    [delivery] = await deliveries_of(db, hook["id"])
    assert request.headers["colloquy-event-id"] == body["id"] == str(event["id"])
    assert request.headers["colloquy-event-type"] == "interview.published"
    assert request.headers["colloquy-delivery-id"] == str(delivery["id"])
    timestamp = verify_signature(
        hook["secret"], request.headers["colloquy-signature"], request.body
    )
    assert timestamp == int(clock.now().timestamp())
    with pytest.raises(AssertionError):
        verify_signature(hook["secret"], request.headers["colloquy-signature"], request.body + b" ")
    with pytest.raises(AssertionError):
        verify_signature("whsec_other", request.headers["colloquy-signature"], request.body)

    assert delivery["status"] == "succeeded"
    assert delivery["attempts"] == 1
    assert await stored_status(db, interview) == "published"
    admin_view = await client.get(f"/admin/v1/interviews/{interview['id']}", headers=editor)
    assert admin_view.json()["status"] == "published"
    assert datetime.fromisoformat(admin_view.json()["published_at"]) == publish_at

    # Nothing more to do.
    assert await dispatch(pool, clock, settings) == 0
    clock.advance(hours=1)
    assert await send_due(pool, clock, settings) == 0
    assert len(receiver.requests) == 1


async def test_every_event_of_a_life_in_order(
    client: Client,
    admin: Headers,
    editor: Headers,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
) -> None:
    hook = await subscribe(client, admin, receiver.url)
    await schedule(client, editor, interview, clock.now() + timedelta(hours=1))
    await worker_round(pool, clock, settings)
    clock.advance(minutes=1)
    await schedule(client, editor, interview, clock.now() + timedelta(hours=2))
    await worker_round(pool, clock, settings)
    clock.advance(minutes=1)
    await unschedule(client, editor, interview)
    await worker_round(pool, clock, settings)
    clock.advance(minutes=1)
    await publish(client, editor, interview)
    await worker_round(pool, clock, settings)
    clock.advance(minutes=1)
    patched = await client.patch(
        f"/admin/v1/interviews/{interview['id']}", json={"title": "Retitled"}, headers=editor
    )
    assert patched.status_code == 200
    await worker_round(pool, clock, settings)
    clock.advance(minutes=1)
    await withdraw(client, editor, interview)
    await worker_round(pool, clock, settings)
    clock.advance(days=1)
    await worker_round(pool, clock, settings)  # the first schedule's time: cancelled

    bodies = [msgspec.json.decode(r.body) for r in receiver.requests]
    assert [b["type"] for b in bodies] == [
        "interview.scheduled",
        "interview.rescheduled",
        "interview.unscheduled",
        "interview.published",
        "interview.updated",
        "interview.withdrawn",
    ]
    for request, body in zip(receiver.requests, bodies, strict=True):
        assert request.headers["colloquy-event-type"] == body["type"]
        verify_signature(hook["secret"], request.headers["colloquy-signature"], request.body)
        assert body["interview"]["id"] == interview["id"]
    assert len({b["id"] for b in bodies}) == 6
    assert bodies[4]["interview"]["title"] == "Retitled"
    # Not public: who it was, and its status then.
    assert bodies[0]["interview"] == {
        "id": interview["id"],
        "slug": interview["slug"],
        "title": interview["title"],
        "status": "scheduled",
    }
    assert bodies[5]["interview"]["status"] == "withdrawn"


async def test_a_deleted_scheduled_interview_is_not_announced_as_published(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
) -> None:
    """Deleted before its time, it never was published: its pending publication goes too."""
    await subscribe(client, admin, receiver.url, ["interview.published"])
    await schedule(client, editor, interview, clock.now() + timedelta(minutes=5))
    deleted = await client.delete(
        f"/admin/v1/interviews/{interview['id']}", headers={**editor, "If-Match": "*"}
    )
    assert deleted.status_code == 204, deleted.text

    clock.advance(minutes=10)
    await worker_round(pool, clock, settings)
    assert [msgspec.json.decode(r.body) for r in receiver.requests] == []


# --- exactly once ----------------------------------------------------------------------------


async def test_concurrent_dispatchers_and_senders_deliver_each_event_once(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    series: Json,
    lauri: Json,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dispatch_module, "BATCH", 4)  # several batches each, interleaved
    async with receiving() as first, receiving() as second:
        hooks = [await subscribe(client, admin, r.url) for r in (first, second)]
        for number in range(8):
            interview = await draft(client, editor, series, lauri, f"Guest {number}")
            await publish(client, editor, interview)
            await withdraw(client, editor, interview)
        events = await db.fetchval("SELECT count(*) FROM events")
        assert events == 16

        site = Site(settings.base_url)

        async def dispatcher() -> int:
            total = 0
            while count := await dispatch_due(pool, clock.now(), settings, site):
                total += count
                await asyncio.sleep(0)
            return total

        counts = await asyncio.wait_for(asyncio.gather(dispatcher(), dispatcher()), WAIT_SECONDS)
        assert sum(counts) == events
        assert await db.fetchval("SELECT count(*) FROM events WHERE dispatched_at IS NULL") == 0
        assert await db.fetchval("SELECT count(*) FROM deliveries") == 2 * events

        async with (
            Sender(pool, clock, True, concurrency=5, timeout=2) as one,
            Sender(pool, clock, True, concurrency=5, timeout=2) as other,
        ):
            deadline = time.monotonic() + WAIT_SECONDS
            while True:
                started = await asyncio.gather(one.start_due(), other.start_due())
                await asyncio.gather(one.drain(), other.drain())
                if sum(started) == 0:
                    break
                assert time.monotonic() < deadline, "the senders did not finish"

        for receiver in (first, second):
            ids = [r.headers["colloquy-event-id"] for r in receiver.requests]
            assert len(ids) == events
            assert len(set(ids)) == events
        for hook in hooks:
            rows = await deliveries_of(db, hook["id"])
            assert [(r["status"], r["attempts"]) for r in rows] == [("succeeded", 1)] * events
        assert await db.fetchval("SELECT count(*) FROM delivery_attempts") == 2 * events


async def test_after_downtime_each_publication_is_delivered_once(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    series: Json,
    lauri: Json,
) -> None:
    await subscribe(client, admin, receiver.url, ["interview.published"])
    times: dict[str, datetime] = {}
    for number in range(5):
        interview = await draft(client, editor, series, lauri, f"Guest {number}")
        times[interview["id"]] = clock.now() + timedelta(minutes=10 * (number + 1))
        await schedule(client, editor, interview, times[interview["id"]])

    clock.advance(hours=6)  # the worker was down meanwhile
    assert await dispatch_due(pool, clock.now(), settings, Site(settings.base_url)) == 10
    assert await dispatch_due(pool, clock.now(), settings, Site(settings.base_url)) == 0
    assert await send_due(pool, clock, settings) == 5
    assert await send_due(pool, clock, settings) == 0

    bodies = [msgspec.json.decode(r.body) for r in receiver.requests]
    assert sorted(b["interview"]["id"] for b in bodies) == sorted(times)
    for body in bodies:
        assert body["type"] == "interview.published"
        assert datetime.fromisoformat(body["occurred_at"]) == times[body["interview"]["id"]]
    # In the order they were published.
    assert [b["interview"]["id"] for b in bodies] == list(times)
    statuses = await db.fetch("SELECT status FROM interviews")
    assert [r["status"] for r in statuses] == ["published"] * 5


# --- the real worker -------------------------------------------------------------------------


class Rounds:
    """Counts the rounds each real worker finishes (each ends in its sender's `start_due`), so
    that a test can let the workers run a few more rounds instead of sleeping for "long
    enough", which on a slow machine lets the test pass without a round having run. Their pause
    between rounds is cut short: how often the worker polls is not what these tests check."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.finished: Counter[Sender] = Counter()
        self._changed = asyncio.Condition()
        start_due = Sender.start_due

        async def counted(sender: Sender) -> int:
            started = await start_due(sender)
            async with self._changed:
                self.finished[sender] += 1
                self._changed.notify_all()
            return started

        monkeypatch.setattr(Sender, "start_due", counted)
        monkeypatch.setattr(worker, "POLL_SECONDS", 0.01)

    async def more(self, count: int) -> None:
        """Wait until every worker has finished `count` more rounds (the first of them may have
        begun before this call), then for what they started to be sent and recorded."""
        target = {sender: done + count for sender, done in self.finished.items()}
        assert target, "no worker has finished a round yet"

        def reached() -> bool:
            return all(self.finished[sender] >= n for sender, n in target.items())

        async def waited() -> None:
            async with self._changed:
                await self._changed.wait_for(reached)

        await asyncio.wait_for(waited(), WAIT_SECONDS)
        for sender in target:
            await asyncio.wait_for(sender.drain(), WAIT_SECONDS)


@pytest.fixture
def rounds(monkeypatch: pytest.MonkeyPatch) -> Rounds:
    return Rounds(monkeypatch)


@contextlib.asynccontextmanager
async def workers(
    pool: asyncpg.Pool, clock: MovableClock, settings: Settings, count: int = 1
) -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks = [asyncio.create_task(run_worker(pool, clock, settings)) for _ in range(count)]
    try:
        yield tasks
    finally:
        for task in tasks:
            task.cancel()
        done, pending = await asyncio.wait(tasks, timeout=WAIT_SECONDS)
        assert not pending, "a worker did not stop when cancelled"
        for task in done:
            assert task.cancelled(), task.exception()


async def test_the_worker_delivers_on_its_own(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    series: Json,
    lauri: Json,
    rounds: Rounds,
) -> None:
    hook = await subscribe(client, admin, receiver.url, ["interview.published"])
    now_one = await draft(client, editor, series, lauri, "Guest Now")
    later_one = await draft(client, editor, series, lauri, "Guest Later")
    async with workers(pool, clock, settings):
        await publish(client, editor, now_one)
        [first] = await receiver.wait_for(1)
        assert msgspec.json.decode(first.body)["interview"]["id"] == now_one["id"]

        publish_at = clock.now() + timedelta(seconds=5)
        await schedule(client, editor, later_one, publish_at)
        clock.advance(seconds=4.9)
        await rounds.more(2)  # just before its time: nothing goes out
        assert len(receiver.requests) == 1
        assert await stored_status(db, later_one) == "scheduled"

        clock.advance(seconds=1.1)
        _, second = await receiver.wait_for(2)
        body = msgspec.json.decode(second.body)
        assert body["interview"]["id"] == later_one["id"]
        verify_signature(hook["secret"], second.headers["colloquy-signature"], second.body)
        deadline = time.monotonic() + WAIT_SECONDS
        while await stored_status(db, later_one) != "published":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        rows = await deliveries_of(db, hook["id"])
        while any(r["status"] != "succeeded" for r in rows):
            assert time.monotonic() < deadline, rows
            await asyncio.sleep(0.05)
            rows = await deliveries_of(db, hook["id"])
    assert len(receiver.requests) == 2


async def test_two_workers_deliver_each_event_once(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    series: Json,
    lauri: Json,
    rounds: Rounds,
) -> None:
    await subscribe(client, admin, receiver.url)
    async with workers(pool, clock, settings, count=2):
        for number in range(4):
            interview = await draft(client, editor, series, lauri, f"Guest {number}")
            await schedule(client, editor, interview, clock.now() + timedelta(seconds=1))
        clock.advance(seconds=2)
        await receiver.wait_for(8)
        # More rounds of both, and more again once every lease has run out: nothing is sent twice.
        assert len(rounds.finished) == 2
        await rounds.more(2)
        clock.advance(minutes=5)
        await rounds.more(2)
    ids = [r.headers["colloquy-event-id"] for r in receiver.requests]
    assert len(ids) == 8
    assert len(set(ids)) == 8
    assert (
        sorted(r.headers["colloquy-event-type"] for r in receiver.requests)
        == ["interview.published"] * 4 + ["interview.scheduled"] * 4
    )
    assert await db.fetchval("SELECT count(*) FROM delivery_attempts") == 8
