"""Where webhooks may point, with the default settings: never into the host's own networks,
judged from the URL when subscribing and again from what the name resolves to at each
delivery."""

from datetime import timedelta

import asyncpg
import pytest

from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import (
    ALL_EVENT_TYPES,
    Headers,
    Receiver,
    acted,
    attempts_of,
    deliveries_of,
    dispatch,
    draft,
    send_due,
    subscribe,
)
from tests.factories import Client, Json, make_person, make_series

HOOKS = "/admin/v1/webhooks"
LOCAL = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://LOCALHOST:8080/x",
    "http://hooks.localhost/",
    "http://localhost./",
    "http://127.0.0.53:9000/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.10/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://[::1]:8080/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://224.0.0.1/",
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    assert settings.webhook_allow_private is False  # the default
    return settings


@pytest.fixture
async def interview(client: Client, editor: Headers) -> Json:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    return await draft(client, editor, series, lauri, "Murad Muradov")


@pytest.mark.parametrize("url", LOCAL)
async def test_local_targets_are_refused_422(
    client: Client, admin: Headers, db: asyncpg.Connection, url: str
) -> None:
    response = await client.post(
        HOOKS, json={"url": url, "event_types": ["interview.published"]}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    assert await db.fetchval("SELECT count(*) FROM webhooks") == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://localhost/", "http://[::1]/"])
async def test_a_patch_to_a_local_target_is_refused_422(
    client: Client, admin: Headers, url: str
) -> None:
    hook = await subscribe(client, admin, "https://hooks.example/colloquy")
    response = await client.patch(f"{HOOKS}/{hook['id']}", json={"url": url}, headers=admin)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    unchanged = await client.get(f"{HOOKS}/{hook['id']}", headers=admin)
    assert unchanged.json()["url"] == "https://hooks.example/colloquy"


async def test_public_targets_are_accepted(client: Client, admin: Headers) -> None:
    for url in ("https://hooks.example/colloquy", "http://93.184.215.14:8080/in"):
        assert (await subscribe(client, admin, url))["url"] == url


async def insert_webhook(db: asyncpg.Connection, url: str, clock: MovableClock) -> Json:
    """A webhook written straight to the database, past the API's check (as if it had been
    made when the name resolved elsewhere, or by an older version)."""
    row = await db.fetchrow(
        """
        INSERT INTO webhooks (url, event_types, secret, created_at, updated_at)
        VALUES ($1, $2, 'whsec_test', $3, $3) RETURNING id
        """,
        url, ALL_EVENT_TYPES, clock.now(),
    )  # fmt: skip
    return {"id": str(row["id"]), "url": url, "secret": "whsec_test"}


@pytest.mark.parametrize(
    "host",
    ["localhost", "127.1", "2130706433", "[::1]"],
    ids=["localhost", "127.1", "decimal", "v6"],
)
async def test_a_target_that_is_local_at_send_time_is_not_called(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
    host: str,
) -> None:
    url = f"http://{host}:{receiver.port}/hook"
    hook = await insert_webhook(db, url, clock)
    await acted(client, editor, interview, "publish")
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1

    assert receiver.requests == []
    [delivery] = await deliveries_of(db, hook["id"])
    assert delivery["status"] == "failed"
    [attempt] = await attempts_of(db, delivery["id"])
    assert attempt["status_code"] is None
    assert "loopback" in attempt["error"] or "private" in attempt["error"]

    clock.advance(days=3)
    assert await send_due(pool, clock, settings) == 0
    assert receiver.requests == []


async def test_a_name_that_resolves_to_loopback_passes_the_api_but_is_not_called(
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
    """'127.1' is no address to Python but resolves to 127.0.0.1: checked at send time."""
    hook = await subscribe(client, admin, f"http://127.1:{receiver.port}/hook")
    await acted(client, editor, interview, "publish")
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1
    assert receiver.requests == []
    [delivery] = await deliveries_of(db, hook["id"])
    assert delivery["status"] == "failed"
    [attempt] = await attempts_of(db, delivery["id"])
    assert "resolves to a private or loopback address" in attempt["error"]


async def test_the_same_target_is_called_when_the_operator_allows_private(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
) -> None:
    hook = await insert_webhook(db, f"http://localhost:{receiver.port}/hook", clock)
    await acted(client, editor, interview, "publish")
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings, allow_private=True) == 1
    await receiver.wait_for(1)
    [delivery] = await deliveries_of(db, hook["id"])
    assert delivery["status"] == "succeeded"


async def test_a_name_that_does_not_resolve_is_retried(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    """A name that does not resolve now (DNS down, a record not yet there) is a failed
    attempt like any other, retried after 30 s: not a refusal for good."""
    hook = await subscribe(client, admin, "https://colloquy-receiver.invalid/hook")
    await acted(client, editor, interview, "publish")
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1
    [delivery] = await deliveries_of(db, hook["id"])
    [attempt] = await attempts_of(db, delivery["id"])
    assert attempt["status_code"] is None
    assert attempt["error"]
    assert delivery["status"] == "pending"
    assert delivery["next_attempt_at"] == clock.now() + timedelta(seconds=30)


@pytest.mark.parametrize(
    "url",
    ["http://[::1/", "https://hooks.example:99999/x", "https://hooks.example:port/x"],
    ids=["unclosed-v6", "port-out-of-range", "port-not-a-number"],
)
async def test_a_malformed_target_is_refused_422_not_500(
    client: Client, admin: Headers, db: asyncpg.Connection, url: str
) -> None:
    response = await client.post(
        HOOKS, json={"url": url, "event_types": ["interview.published"]}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    assert await db.fetchval("SELECT count(*) FROM webhooks") == 0


@pytest.mark.parametrize("allow_private", [False, True])
async def test_an_attempt_at_a_malformed_target_is_logged(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
    allow_private: bool,
) -> None:
    """Every attempt is logged and settled, even at a URL no client can use (one stored
    before the API checked it): the delivery is not left claimed, to crash again every two
    minutes without a word."""
    hook = await insert_webhook(db, "https://hooks.example:99999/x", clock)
    await acted(client, editor, interview, "publish")
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings, allow_private=allow_private) == 1
    [delivery] = await deliveries_of(db, hook["id"])
    [attempt] = await attempts_of(db, delivery["id"])
    assert attempt["status_code"] is None
    assert attempt["error"]
    assert delivery["status"] in ("pending", "failed")
    assert delivery["next_attempt_at"] != clock.now() + timedelta(minutes=2)
