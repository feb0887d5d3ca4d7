"""WebSub: with a hub configured, each publication, public edit and withdrawal pings the hub
(hub.mode=publish) once for every feed it changes; nothing else does."""

from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import asyncpg
import msgspec
import pytest

from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import (
    Headers,
    Receiver,
    attempts_of,
    dispatch,
    receiving,
    send_due,
    worker_round,
)
from tests.factories import Client, Json
from tests.helpers import publish, schedule, unschedule, withdraw

FEED_ENDINGS = ("rss", "atom", "json")


@pytest.fixture
async def hub() -> AsyncIterator[Receiver]:
    async with receiving() as started:
        yield started


@pytest.fixture
def settings(settings: Settings, hub: Receiver) -> Settings:
    """A hub on loopback: the operator configured it, so no private-address check applies
    (webhook_allow_private stays off)."""
    assert settings.webhook_allow_private is False
    return msgspec.structs.replace(settings, websub_hub=f"http://127.0.0.1:{hub.port}/hub")


def expected_topics(settings: Settings, interview: Json, series: Json) -> list[str]:
    person_slugs = ["lauri-nikulainen", "murad-muradov"]
    assert len(interview["participants"]) == len(person_slugs)
    scopes = ["all", f"series/{series['slug']}", *(f"people/{slug}" for slug in person_slugs)]
    return sorted(
        f"{settings.base_url}/feeds/{scope}.{ending}" for scope in scopes for ending in FEED_ENDINGS
    )


def pinged_topics(hub: Receiver) -> list[str]:
    topics = []
    for request in hub.requests:
        assert request.method == "POST"
        assert request.path == "/hub"
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        form = parse_qs(request.body.decode("ascii"), strict_parsing=True)
        assert set(form) == {"hub.mode", "hub.url"}
        assert form["hub.mode"] == ["publish"]
        [topic] = form["hub.url"]
        topics.append(topic)
    return sorted(topics)


async def test_a_publication_pings_the_hub_for_every_feed_it_changes(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    hub: Receiver,
    series: Json,
    interview: Json,
) -> None:
    await publish(client, editor, interview)
    assert await dispatch(pool, clock, settings) == 1
    assert await send_due(pool, clock, settings) == 12
    await hub.wait_for(12)

    topics = pinged_topics(hub)
    assert topics == expected_topics(settings, interview, series)
    assert len(set(topics)) == 12
    # Each topic is a feed we serve, and names itself so.
    for topic in topics:
        response = await client.get(urlsplit(topic).path)
        assert response.status_code == 200, topic
        assert f'<{topic}>; rel="self"' in response.headers["link"]

    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status <> 'succeeded'") == 0
    clock.advance(hours=1)
    assert await worker_round(pool, clock, settings) == 0
    assert len(hub.requests) == 12


async def test_a_scheduled_interview_pings_only_at_its_time(
    client: Client,
    editor: Headers,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    hub: Receiver,
    series: Json,
    interview: Json,
) -> None:
    await schedule(client, editor, interview, clock.now() + timedelta(minutes=30))
    assert await worker_round(pool, clock, settings) == 0
    clock.advance(minutes=10)
    await schedule(client, editor, interview, clock.now() + timedelta(minutes=30))
    assert await worker_round(pool, clock, settings) == 0
    clock.advance(minutes=29)
    assert await worker_round(pool, clock, settings) == 0
    assert hub.requests == []

    clock.advance(minutes=2)
    assert await worker_round(pool, clock, settings) == 12
    assert pinged_topics(hub) == expected_topics(settings, interview, series)


async def test_unscheduling_pings_nothing(
    client: Client,
    editor: Headers,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    hub: Receiver,
    interview: Json,
) -> None:
    await schedule(client, editor, interview, clock.now() + timedelta(minutes=30))
    await unschedule(client, editor, interview)
    clock.advance(hours=1)
    assert await worker_round(pool, clock, settings) == 0
    assert hub.requests == []


@pytest.mark.parametrize("change", ["update", "withdraw"])
async def test_an_edit_or_withdrawal_of_a_public_interview_pings_again(
    client: Client,
    editor: Headers,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    hub: Receiver,
    series: Json,
    interview: Json,
    change: str,
) -> None:
    await publish(client, editor, interview)
    assert await worker_round(pool, clock, settings) == 12
    hub.requests.clear()
    clock.advance(minutes=5)
    if change == "update":
        response = await client.patch(
            f"/admin/v1/interviews/{interview['id']}", json={"standfirst": "New."}, headers=editor
        )
        assert response.status_code == 200, response.text
    else:
        await withdraw(client, editor, interview)
    assert await worker_round(pool, clock, settings) == 12
    assert pinged_topics(hub) == expected_topics(settings, interview, series)


async def test_a_failing_hub_is_retried(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    hub: Receiver,
    series: Json,
    interview: Json,
) -> None:
    hub.mode = "fail"
    await publish(client, editor, interview)
    assert await worker_round(pool, clock, settings) == 12
    rows = await db.fetch("SELECT id, status, next_attempt_at FROM deliveries")
    assert {(r["status"], r["next_attempt_at"] - clock.now()) for r in rows} == {
        ("pending", timedelta(seconds=30))
    }
    [attempt] = await attempts_of(db, rows[0]["id"])
    assert attempt["status_code"] == 500

    hub.mode = "ok"
    hub.requests.clear()
    clock.advance(seconds=30)
    assert await worker_round(pool, clock, settings) == 12
    assert pinged_topics(hub) == expected_topics(settings, interview, series)
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'succeeded'") == 12


async def test_without_a_hub_there_are_no_pings(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    hub: Receiver,
    interview: Json,
) -> None:
    no_hub = msgspec.structs.replace(settings, websub_hub=None)
    await publish(client, editor, interview)
    assert await worker_round(pool, clock, no_hub) == 0
    assert await db.fetchval("SELECT count(*) FROM deliveries") == 0
    assert hub.requests == []
