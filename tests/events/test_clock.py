"""A clock that jumps: forward, the worker catches up; back, nothing goes out early or twice."""

from datetime import timedelta

import asyncpg
import msgspec
import pytest

from app.events.sending import claim
from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import (
    Headers,
    Receiver,
    deliveries_of,
    dispatch,
    send_due,
    subscribe,
    worker_round,
)
from tests.factories import Client, Json
from tests.helpers import publish, schedule


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private=True)


async def test_a_jump_forward_catches_up_and_a_jump_back_sends_nothing_early(
    client: Client,
    admin: Headers,
    editor: Headers,
    interview: Json,
    receiver: Receiver,
    clock: MovableClock,
    pool: asyncpg.Pool,
    settings: Settings,
) -> None:
    await subscribe(client, admin, receiver.url, ["interview.published"])
    await schedule(client, editor, interview, clock.now() + timedelta(hours=1))

    clock.advance(hours=3)  # the clock jumps past the publication
    assert await worker_round(pool, clock, settings) == 1
    await receiver.wait_for(1)

    clock.advance(hours=-3)  # and back to before it
    assert await worker_round(pool, clock, settings) == 0
    clock.advance(hours=3)
    assert await worker_round(pool, clock, settings) == 0
    assert len(receiver.requests) == 1


async def test_a_jump_back_does_not_publish_a_scheduled_interview_early(
    client: Client,
    admin: Headers,
    editor: Headers,
    interview: Json,
    receiver: Receiver,
    clock: MovableClock,
    pool: asyncpg.Pool,
    settings: Settings,
) -> None:
    await subscribe(client, admin, receiver.url, ["interview.published"])
    await schedule(client, editor, interview, clock.now() + timedelta(minutes=30))
    clock.advance(minutes=-10)
    assert await dispatch(pool, clock, settings) == 0
    stored = await client.get(f"/admin/v1/interviews/{interview['id']}", headers=editor)
    assert stored.json()["status"] == "scheduled"
    clock.advance(minutes=40)
    assert await worker_round(pool, clock, settings) == 1


async def test_a_lease_taken_before_a_jump_back_is_not_resent_early(
    client: Client,
    admin: Headers,
    editor: Headers,
    interview: Json,
    receiver: Receiver,
    clock: MovableClock,
    pool: asyncpg.Pool,
    settings: Settings,
    db: asyncpg.Connection,
) -> None:
    hook = await subscribe(client, admin, receiver.url, ["interview.published"])
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    [claimed] = await claim(pool, clock.now(), 10)  # a sender takes it, then is never heard of

    clock.advance(hours=-1)  # the lease now lies further ahead than two minutes
    assert await send_due(pool, clock, settings) == 0
    clock.advance(hours=1, minutes=1)
    assert await send_due(pool, clock, settings) == 0  # still within the lease
    clock.advance(minutes=2)
    assert await send_due(pool, clock, settings) == 1
    await receiver.wait_for(1)
    [delivery] = await deliveries_of(db, hook["id"])
    assert (delivery["id"], delivery["status"], delivery["attempts"]) == (
        claimed.id,
        "succeeded",
        2,
    )
