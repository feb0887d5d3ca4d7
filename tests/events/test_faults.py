"""Faults: receivers that fail, hang or hang up; senders that die. Deliveries are retried with
backoff (30 s, doubling, 13 attempts), a slow receiver holds up no other, and a claimed
delivery whose sender died is sent again when its lease runs out."""

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import httpx
import msgspec
import pytest

from app.events import sending, worker
from app.events.sending import Sender, claim
from app.events.worker import run_worker
from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import (
    WAIT_SECONDS,
    Headers,
    Receiver,
    acted,
    attempts_of,
    deliveries_of,
    dispatch,
    draft,
    receiving,
    send_due,
    subscribe,
    worker_round,
)
from tests.factories import Client, Json, make_person, make_series

SHORT_TIMEOUT = 1.0  # seconds a test client waits for a receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private=True)


@pytest.fixture
async def interview(client: Client, editor: Headers) -> Json:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    return await draft(client, editor, series, lauri, "Murad Muradov")


@pytest.fixture
async def failing() -> AsyncIterator[Receiver]:
    async with receiving("fail") as receiver:
        yield receiver


async def only_delivery(db: asyncpg.Connection, hook: Json) -> asyncpg.Record:
    [delivery] = await deliveries_of(db, hook["id"])
    return delivery


async def test_a_failing_receiver_is_retried_with_doubling_waits_then_given_up(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    failing: Receiver,
    interview: Json,
) -> None:
    hook = await subscribe(client, admin, failing.url, ["interview.published"])
    await acted(client, editor, interview, "publish")
    await dispatch(pool, clock, settings)

    waits = []
    for attempt in range(1, 14):
        assert await send_due(pool, clock, settings) == 1, f"attempt {attempt}"
        assert len(failing.requests) == attempt
        delivery = await only_delivery(db, hook)
        assert delivery["attempts"] == attempt
        if attempt < 13:
            assert delivery["status"] == "pending"
            wait = delivery["next_attempt_at"] - clock.now()
            waits.append(wait)
            # Not a moment early.
            clock.advance(seconds=wait.total_seconds() - 1)
            assert await send_due(pool, clock, settings) == 0
            clock.advance(seconds=1)
        else:
            assert delivery["status"] == "failed"
    assert waits[:2] == [timedelta(seconds=30), timedelta(seconds=60)]
    assert waits == [timedelta(seconds=30 * 2**n) for n in range(12)]
    assert sum(waits, timedelta()) > timedelta(hours=34)

    log = await attempts_of(db, delivery["id"])
    assert len(log) == 13
    assert all(a["status_code"] == 500 for a in log)
    assert all(a["error"] and "500" in a["error"] for a in log)
    assert all(isinstance(a["duration_ms"], int) and a["duration_ms"] >= 0 for a in log)
    assert [a["attempted_at"] for a in log] == sorted(a["attempted_at"] for a in log)

    # Given up for good.
    clock.advance(days=30)
    assert await send_due(pool, clock, settings) == 0
    assert len(failing.requests) == 13
    listed = await client.get(f"/admin/v1/webhooks/{hook['id']}/deliveries", headers=admin)
    [shown] = listed.json()
    assert shown["status"] == "failed"
    assert shown["attempts"] == 13
    assert len(shown["log"]) == 13


@pytest.mark.parametrize("status", [500, 503, 404, 410, 301, 302])
async def test_only_2xx_counts_as_delivered(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
    status: int,
) -> None:
    async with receiving("ok", status=status) as receiver:
        hook = await subscribe(client, admin, receiver.url, ["interview.published"])
        await acted(client, editor, interview, "publish")
        await worker_round(pool, clock, settings)
        assert len(receiver.requests) == 1
        delivery = await only_delivery(db, hook)
        assert delivery["status"] == "pending"
        assert delivery["next_attempt_at"] == clock.now() + timedelta(seconds=30)
        [attempt] = await attempts_of(db, delivery["id"])
        assert attempt["status_code"] == status
        assert str(status) in attempt["error"]

        receiver.status = 200
        clock.advance(seconds=30)
        await worker_round(pool, clock, settings)
        assert len(receiver.requests) == 2
        assert (await only_delivery(db, hook))["status"] == "succeeded"


async def test_a_hanging_receiver_times_out_without_holding_up_a_healthy_one(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    async with receiving("hang") as hanging, receiving("ok") as healthy:
        slow_hook = await subscribe(client, admin, hanging.url, ["interview.published"])
        fast_hook = await subscribe(client, admin, healthy.url, ["interview.published"])
        await acted(client, editor, interview, "publish")
        await dispatch(pool, clock, settings)

        sender = Sender(pool, clock, settings.webhook_allow_private)
        async with httpx.AsyncClient(timeout=SHORT_TIMEOUT) as http:
            began = time.monotonic()
            assert await sender.start_due(http) == 2  # both in the same round
            await hanging.wait_for(1, SHORT_TIMEOUT / 2)
            await healthy.wait_for(1, SHORT_TIMEOUT / 2)

            # The healthy delivery is recorded while the hanging one is still in flight.
            while (await only_delivery(db, fast_hook))["status"] != "succeeded":
                assert time.monotonic() - began < SHORT_TIMEOUT * 0.8, "held up by the slow one"
                await asyncio.sleep(0.01)
            assert time.monotonic() - began < SHORT_TIMEOUT
            slow = await only_delivery(db, slow_hook)
            assert await attempts_of(db, slow["id"]) == []
            assert len(sender.in_flight) == 1

            await asyncio.wait_for(sender.drain(), SHORT_TIMEOUT + WAIT_SECONDS)
            took = time.monotonic() - began
        assert SHORT_TIMEOUT * 0.9 <= took < SHORT_TIMEOUT + WAIT_SECONDS

        slow = await only_delivery(db, slow_hook)
        assert slow["status"] == "pending"
        assert slow["next_attempt_at"] == clock.now() + timedelta(seconds=30)
        [attempt] = await attempts_of(db, slow["id"])
        assert attempt["status_code"] is None
        assert "Timeout" in attempt["error"]
        assert attempt["duration_ms"] >= SHORT_TIMEOUT * 900

        # Later it answers, and the retry goes through; the healthy one is not sent again.
        hanging.mode = "ok"
        clock.advance(seconds=30)
        assert await send_due(pool, clock, settings, client_timeout=SHORT_TIMEOUT) == 1
        assert (await only_delivery(db, slow_hook))["status"] == "succeeded"
        assert len(hanging.requests) == 2
        assert len(healthy.requests) == 1
        assert hanging.requests[0].body == hanging.requests[1].body == healthy.requests[0].body


async def test_a_receiver_that_hangs_up_is_retried(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    async with receiving("close") as rude:
        hook = await subscribe(client, admin, rude.url, ["interview.published"])
        await acted(client, editor, interview, "publish")
        await worker_round(pool, clock, settings)
        assert len(rude.requests) == 1

        delivery = await only_delivery(db, hook)
        assert delivery["status"] == "pending"
        assert delivery["next_attempt_at"] == clock.now() + timedelta(seconds=30)
        [attempt] = await attempts_of(db, delivery["id"])
        assert attempt["status_code"] is None
        assert attempt["error"], "the error is logged"
        assert "RemoteProtocolError" in attempt["error"] or "Connect" in attempt["error"]

        rude.mode = "ok"
        clock.advance(seconds=30)
        assert await worker_round(pool, clock, settings) == 1
        assert len(rude.requests) == 2
        delivery = await only_delivery(db, hook)
        assert (delivery["status"], delivery["attempts"]) == ("succeeded", 2)


async def test_a_receiver_that_is_not_listening_is_retried(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    async with receiving() as gone:
        url = gone.url
    hook = await subscribe(client, admin, url, ["interview.published"])
    await acted(client, editor, interview, "publish")
    await worker_round(pool, clock, settings)
    delivery = await only_delivery(db, hook)
    assert delivery["status"] == "pending"
    [attempt] = await attempts_of(db, delivery["id"])
    assert attempt["status_code"] is None
    assert "ConnectError" in attempt["error"]


async def test_a_delivery_whose_sender_died_is_sent_after_its_lease(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    async with receiving() as receiver:
        hook = await subscribe(client, admin, receiver.url, ["interview.published"])
        await acted(client, editor, interview, "publish")
        await dispatch(pool, clock, settings)

        # A sender claims it and dies before sending.
        [claimed] = await claim(pool, clock.now(), 10)
        assert claimed.target_url == receiver.url
        assert await claim(pool, clock.now(), 10) == []

        # Nobody else takes it while the lease runs.
        assert await send_due(pool, clock, settings) == 0
        clock.advance(seconds=119)
        assert await send_due(pool, clock, settings) == 0
        assert receiver.requests == []

        clock.advance(seconds=1)
        assert await send_due(pool, clock, settings) == 1
        [request] = await receiver.wait_for(1)
        assert request.headers["colloquy-delivery-id"] == str(claimed.id)
        delivery = await only_delivery(db, hook)
        assert delivery["status"] == "succeeded"
        assert len(await attempts_of(db, delivery["id"])) == 1

        clock.advance(minutes=10)
        assert await send_due(pool, clock, settings) == 0
        assert len(receiver.requests) == 1


async def test_a_delivery_in_flight_is_not_sent_twice(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    """While one sender waits on a slow receiver, another sender's rounds leave it alone."""
    async with receiving("hang") as slow:
        hook = await subscribe(client, admin, slow.url, ["interview.published"])
        await acted(client, editor, interview, "publish")
        await dispatch(pool, clock, settings)
        first = Sender(pool, clock, True)
        async with httpx.AsyncClient(timeout=SHORT_TIMEOUT) as http:
            assert await first.start_due(http) == 1
            await slow.wait_for(1, SHORT_TIMEOUT / 2)
            second = Sender(pool, clock, True)
            assert await second.start_due(http) == 0
            await asyncio.wait_for(first.drain(), SHORT_TIMEOUT + WAIT_SECONDS)
        assert len(slow.requests) == 1
        assert (await only_delivery(db, hook))["attempts"] == 1


async def test_an_answer_that_trickles_in_past_the_timeout_is_a_failed_attempt(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The README: "A failed attempt (no 2xx within 10 s)". The limit is on the whole
    attempt, not on each read, or a receiver sending a byte now and then holds a slot for as
    long as it likes (past the lease, when another worker sends it again). Scaled down here:
    a 0.5 s limit, an answer that takes about 4 s."""
    monkeypatch.setattr(sending, "TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(worker, "TIMEOUT_SECONDS", 0.5)
    task: asyncio.Task[None] | None = None
    async with receiving("drip") as slow:
        hook = await subscribe(client, admin, slow.url, ["interview.published"])
        await acted(client, editor, interview, "publish")
        try:
            task = asyncio.create_task(run_worker(pool, clock, settings))
            [request] = await slow.wait_for(1)
            deadline = request.at + 2.0
            while not (log := await attempts_of(db, (await only_delivery(db, hook))["id"])):
                if time.monotonic() > deadline:
                    raise AssertionError("no attempt settled within 4 times the limit")
                await asyncio.sleep(0.05)
            [attempt] = log
            assert attempt["error"], attempt
            assert attempt["duration_ms"] < 2000
            assert (await only_delivery(db, hook))["status"] == "pending"
        finally:
            slow.release()
            if task is not None:
                task.cancel()
                await asyncio.wait([task], timeout=WAIT_SECONDS)
