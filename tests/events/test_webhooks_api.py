"""The Admin API for webhooks: subscriptions (admin only), the delivery log and redelivery.

Receivers here listen on loopback, which the operator allows (COLLOQUY_WEBHOOK_ALLOW_PRIVATE).
"""

import uuid
from datetime import datetime

import asyncpg
import msgspec
import pytest

from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import (
    ALL_EVENT_TYPES,
    Headers,
    Receiver,
    deliveries_of,
    receiving,
    subscribe,
    worker_round,
)
from tests.factories import Client, Json
from tests.helpers import fields, problem, publish, withdraw

HOOKS = "/admin/v1/webhooks"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private=True)


async def log(client: Client, admin: Headers, webhook: Json) -> list[Json]:
    response = await client.get(f"{HOOKS}/{webhook['id']}/deliveries", headers=admin)
    assert response.status_code == 200, response.text
    result: list[Json] = response.json()
    return result


# --- who may ---------------------------------------------------------------------------------


async def test_webhooks_are_for_admins_only(
    client: Client, editor: Headers, admin: Headers, receiver: Receiver
) -> None:
    hook = await subscribe(client, admin, receiver.url)
    some = uuid.uuid4()
    calls = [
        ("GET", HOOKS, None),
        ("POST", HOOKS, {"url": receiver.url, "event_types": ["interview.published"]}),
        ("GET", f"{HOOKS}/{hook['id']}", None),
        ("PATCH", f"{HOOKS}/{hook['id']}", {"active": False}),
        ("DELETE", f"{HOOKS}/{hook['id']}", None),
        ("GET", f"{HOOKS}/{hook['id']}/deliveries", None),
        ("POST", f"/admin/v1/deliveries/{some}/redeliver", None),
    ]
    for method, path, body in calls:
        forbidden = await client.request(method, path, json=body, headers=editor)
        assert forbidden.status_code == 403, (method, path, forbidden.text)
        anonymous = await client.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path, anonymous.text)
    # Nothing changed.
    listed = await client.get(HOOKS, headers=admin)
    assert [h["id"] for h in listed.json()] == [hook["id"]]
    assert listed.json()[0]["active"] is True


# --- subscriptions ---------------------------------------------------------------------------


async def test_the_secret_is_shown_once(
    client: Client, admin: Headers, clock: MovableClock, receiver: Receiver
) -> None:
    response = await client.post(
        HOOKS,
        json={"url": receiver.url, "event_types": ["interview.published", "interview.published"]},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(secret) > 30
    assert created["url"] == receiver.url
    assert created["event_types"] == ["interview.published"]  # duplicates dropped
    assert created["active"] is True

    clock.advance(seconds=1)  # listed in the order they were made
    other = await subscribe(client, admin, receiver.url)
    assert other["secret"] != secret

    one = await client.get(f"{HOOKS}/{created['id']}", headers=admin)
    listed = await client.get(HOOKS, headers=admin)
    patched = await client.patch(
        f"{HOOKS}/{created['id']}", json={"event_types": ALL_EVENT_TYPES}, headers=admin
    )
    for response in (one, listed, patched):
        assert response.status_code == 200, response.text
        assert secret not in response.text
        assert other["secret"] not in response.text
        assert "secret" not in response.text
    assert {key: value for key, value in created.items() if key != "secret"} == {
        **one.json(),
        "event_types": ["interview.published"],
    }
    assert [h["id"] for h in listed.json()] == [created["id"], other["id"]]
    assert patched.json()["event_types"] == ALL_EVENT_TYPES


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://hooks.example/x", "event_types": ["interview.deleted"]},
        {"url": "https://hooks.example/x", "event_types": []},
        {"url": "https://hooks.example/x"},
        {"event_types": ["interview.published"]},
        {"url": "https://hooks.example/x", "event_types": ["interview.published"], "x": 1},
    ],
    ids=["unknown-type", "no-types", "types-missing", "url-missing", "unknown-field"],
)
async def test_a_malformed_subscription_is_400(
    client: Client, admin: Headers, db: asyncpg.Connection, body: Json
) -> None:
    problem(await client.post(HOOKS, json=body, headers=admin), 400)
    assert await db.fetchval("SELECT count(*) FROM webhooks") == 0


async def test_an_unknown_event_type_in_a_patch_is_400(
    client: Client, admin: Headers, receiver: Receiver
) -> None:
    hook = await subscribe(client, admin, receiver.url, ["interview.published"])
    response = await client.patch(
        f"{HOOKS}/{hook['id']}", json={"event_types": ["interview.exploded"]}, headers=admin
    )
    assert fields(problem(response, 400)) == ["event_types[0]"]


@pytest.mark.parametrize(
    ("url", "status"),
    # The URL type refuses other schemes as it decodes the body (400, as for every field that
    # does not fit its type); a URL of the right form with no host is refused after (422).
    [("ftp://hooks.example/x", 400), ("mailto:ops@hooks.example", 400), ("http:///no-host", 422)],
)
async def test_a_target_that_is_not_http_is_refused(
    client: Client, admin: Headers, db: asyncpg.Connection, url: str, status: int
) -> None:
    response = await client.post(
        HOOKS, json={"url": url, "event_types": ["interview.published"]}, headers=admin
    )
    assert fields(problem(response, status)) == ["url"]
    assert await db.fetchval("SELECT count(*) FROM webhooks") == 0


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "http://localhost/", "http://10.1.2.3/", "http://[::1]:8080/"]
)
async def test_loopback_and_private_targets_are_allowed_when_the_operator_says_so(
    client: Client, admin: Headers, url: str
) -> None:
    created = await subscribe(client, admin, url)
    assert created["url"] == url


async def test_delete(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    async with receiving("fail") as failing:
        hook = await subscribe(client, admin, failing.url)
        await publish(client, editor, interview)
        await worker_round(pool, clock, settings)
        assert len(failing.requests) == 1
        assert [d["status"] for d in await deliveries_of(db, hook["id"])] == ["pending"]

        deleted = await client.delete(f"{HOOKS}/{hook['id']}", headers=admin)
        assert deleted.status_code == 204, deleted.text
        assert (await client.get(f"{HOOKS}/{hook['id']}", headers=admin)).status_code == 404
        assert (await client.delete(f"{HOOKS}/{hook['id']}", headers=admin)).status_code == 404
        gone = await client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=admin)
        assert gone.status_code == 404
        # Its pending delivery went with it: nothing is retried.
        assert await db.fetchval("SELECT count(*) FROM deliveries") == 0
        clock.advance(hours=1)
        assert await worker_round(pool, clock, settings) == 0
        assert len(failing.requests) == 1


async def test_unknown_ids_are_404(client: Client, admin: Headers) -> None:
    some = uuid.uuid4()
    for method, path, body in [
        ("GET", f"{HOOKS}/{some}", None),
        ("PATCH", f"{HOOKS}/{some}", {"active": False}),
        ("DELETE", f"{HOOKS}/{some}", None),
        ("GET", f"{HOOKS}/{some}/deliveries", None),
        ("POST", f"/admin/v1/deliveries/{some}/redeliver", None),
    ]:
        response = await client.request(method, path, json=body, headers=admin)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


# --- subscriptions at work -------------------------------------------------------------------


async def test_only_the_subscribed_event_types_are_delivered(
    client: Client,
    admin: Headers,
    editor: Headers,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
) -> None:
    await subscribe(client, admin, receiver.url, ["interview.withdrawn"])
    await publish(client, editor, interview)
    clock.advance(minutes=1)
    await withdraw(client, editor, interview)
    assert await worker_round(pool, clock, settings) == 1
    assert [r.headers["colloquy-event-type"] for r in receiver.requests] == ["interview.withdrawn"]


async def test_an_inactive_webhook_gets_nothing(
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
    hook = await subscribe(client, admin, receiver.url)
    paused = await client.patch(f"{HOOKS}/{hook['id']}", json={"active": False}, headers=admin)
    assert paused.status_code == 200, paused.text
    assert paused.json()["active"] is False

    await publish(client, editor, interview)
    assert await worker_round(pool, clock, settings) == 0
    assert receiver.requests == []
    assert await log(client, admin, hook) == []

    resumed = await client.patch(f"{HOOKS}/{hook['id']}", json={"active": True}, headers=admin)
    assert resumed.json()["active"] is True
    clock.advance(minutes=1)
    await withdraw(client, editor, interview)
    assert await worker_round(pool, clock, settings) == 1
    assert [r.headers["colloquy-event-type"] for r in receiver.requests] == ["interview.withdrawn"]
    assert await db.fetchval("SELECT count(*) FROM deliveries") == 1


async def test_pausing_a_webhook_stops_its_retries(
    client: Client,
    admin: Headers,
    editor: Headers,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    """A paused subscription is called no more, not even for deliveries already failing."""
    async with receiving("fail") as failing:
        hook = await subscribe(client, admin, failing.url)
        await publish(client, editor, interview)
        await worker_round(pool, clock, settings)
        assert len(failing.requests) == 1

        paused = await client.patch(f"{HOOKS}/{hook['id']}", json={"active": False}, headers=admin)
        assert paused.status_code == 200, paused.text
        clock.advance(hours=1)
        await worker_round(pool, clock, settings)
        assert len(failing.requests) == 1, "a paused webhook was called"


async def test_retries_go_to_the_url_the_webhook_has_now(
    client: Client,
    admin: Headers,
    editor: Headers,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    """An admin whose receiver fails moves the subscription to a working URL: the pending
    retries follow it (signed with the same subscription's secret), rather than going on
    at the old address for 34 hours."""
    async with receiving("fail") as old, receiving() as new:
        hook = await subscribe(client, admin, old.url, ["interview.published"])
        await publish(client, editor, interview)
        await worker_round(pool, clock, settings)
        assert len(old.requests) == 1

        moved = await client.patch(f"{HOOKS}/{hook['id']}", json={"url": new.url}, headers=admin)
        assert moved.status_code == 200, moved.text
        clock.advance(seconds=30)
        await worker_round(pool, clock, settings)
        assert len(old.requests) == 1, "the retry went to the old URL"
        assert len(new.requests) == 1


async def test_the_delivery_log_and_redelivery(
    client: Client,
    admin: Headers,
    editor: Headers,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
) -> None:
    hook = await subscribe(client, admin, receiver.url, ["interview.published"])
    await publish(client, editor, interview)
    receiver.mode = "fail"
    first_try = clock.now()
    await worker_round(pool, clock, settings)

    [delivery] = await log(client, admin, hook)
    assert delivery["event_type"] == "interview.published"
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 1
    [attempt] = delivery["log"]
    assert attempt["status_code"] == 500
    assert isinstance(attempt["duration_ms"], int) and 0 <= attempt["duration_ms"] < 5000
    assert "500" in attempt["error"]
    assert datetime.fromisoformat(attempt["attempted_at"]) == first_try

    receiver.mode = "ok"
    receiver.status = 204
    clock.advance(seconds=30)
    await worker_round(pool, clock, settings)
    [delivery] = await log(client, admin, hook)
    assert delivery["status"] == "succeeded"
    assert delivery["attempts"] == 2
    assert [(a["status_code"], a["error"]) for a in delivery["log"]] == [
        (500, attempt["error"]),
        (204, None),
    ]
    assert delivery["log"][1]["attempted_at"] > delivery["log"][0]["attempted_at"]

    # Sent again on request, now, though it succeeded: a new attempt, the same event.
    clock.advance(minutes=5)
    redelivered = await client.post(
        f"/admin/v1/deliveries/{delivery['id']}/redeliver", headers=admin
    )
    assert redelivered.status_code == 202, redelivered.text
    [requeued] = await log(client, admin, hook)
    assert requeued["status"] == "pending"
    assert await worker_round(pool, clock, settings) == 1
    [after] = await log(client, admin, hook)
    assert after["status"] == "succeeded"
    assert [a["status_code"] for a in after["log"]] == [500, 204, 204]
    assert len(receiver.requests) == 3
    event_ids = {r.headers["colloquy-event-id"] for r in receiver.requests}
    assert event_ids == {delivery["event_id"]}
    assert len({r.body for r in receiver.requests}) == 1


async def test_a_failed_delivery_can_be_redelivered(
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
    await publish(client, editor, interview)
    await worker_round(pool, clock, settings)
    [delivery] = await deliveries_of(db, hook["id"])
    # As if every attempt had failed (test_faults gets there the long way).
    await db.execute("UPDATE deliveries SET status = 'failed', attempts = 13")
    receiver.requests.clear()
    clock.advance(days=2)

    response = await client.post(f"/admin/v1/deliveries/{delivery['id']}/redeliver", headers=admin)
    assert response.status_code == 202, response.text
    assert await worker_round(pool, clock, settings) == 1
    await receiver.wait_for(1)
    assert receiver.requests[0].headers["colloquy-delivery-id"] == str(delivery["id"])
    [after] = await deliveries_of(db, hook["id"])
    assert after["status"] == "succeeded"


async def test_the_log_is_newest_first_and_limited(
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
    await publish(client, editor, interview)
    await worker_round(pool, clock, settings)
    clock.advance(minutes=1)
    await withdraw(client, editor, interview)
    await worker_round(pool, clock, settings)

    entries = await log(client, admin, hook)
    assert [d["event_type"] for d in entries] == ["interview.withdrawn", "interview.published"]
    limited = await client.get(
        f"{HOOKS}/{hook['id']}/deliveries", params={"limit": 1}, headers=admin
    )
    assert [d["event_type"] for d in limited.json()] == ["interview.withdrawn"]
    for bad in ("0", "101", "x"):
        refused = await client.get(
            f"{HOOKS}/{hook['id']}/deliveries", params={"limit": bad}, headers=admin
        )
        assert refused.status_code == 400, refused.text
