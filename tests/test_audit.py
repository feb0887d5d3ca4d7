"""The audit trail answers "who changed this, when?": every admin write, whatever its outcome,
and every failed authentication, with the actor, the action, the resource, the outcome, the
request id and the client address; never a secret. Before, nothing was recorded.
"""

from datetime import timedelta

import asyncpg
import pytest

from app.retention import Retention
from app.settings import Settings
from tests.conftest import MovableClock
from tests.factories import Client, Headers, Json
from tests.helpers import problem, publish

AUDIT = "/admin/v1/audit"


async def trail(client: Client, admin: Headers, **filters: str) -> list[Json]:
    response = await client.get(AUDIT, params=filters, headers=admin)
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["items"]
    return items


async def token_id(client: Client, admin: Headers, headers: Headers) -> str:
    """The id of the token in `headers`, as the audit trail names it."""
    await client.post("/admin/v1/people", json={"name": "Probe"}, headers=headers)
    return str((await trail(client, admin, action="create_person"))[0]["token_id"])


async def test_a_write_is_recorded_with_who_what_and_how_it_ended(
    client: Client, admin: Headers, editor: Headers, interview: Json
) -> None:
    await publish(client, editor, interview)
    [record] = await trail(client, admin, action="publish_interview")
    assert record["resource"] == "interviews"
    assert record["resource_id"] == interview["id"]
    assert record["outcome"] == 200
    assert record["token_name"] and record["token_id"]
    assert record["client"] == "127.0.0.1"
    assert record["request_id"]


async def test_a_create_names_what_it_created(
    client: Client, admin: Headers, editor: Headers, lauri: Json
) -> None:
    [record] = await trail(client, admin, resource=lauri["id"])
    assert (record["action"], record["outcome"]) == ("create_person", 201)


async def test_a_refused_write_is_recorded_too(
    client: Client, admin: Headers, contributor: Headers, series: Json
) -> None:
    response = await client.delete(f"/admin/v1/series/{series['id']}", headers=contributor)
    assert response.status_code == 403
    [record] = await trail(client, admin, action="delete_series")
    assert (record["outcome"], record["resource_id"]) == (403, series["id"])


async def test_reads_are_not_recorded(client: Client, admin: Headers, editor: Headers) -> None:
    await client.get("/admin/v1/series", headers=editor)
    assert await trail(client, admin, resource="series") == []


async def test_a_failed_authentication_is_recorded_without_its_secret(
    client: Client, admin: Headers, db: asyncpg.Connection
) -> None:
    secret = "cq_not-a-real-token-at-all"
    response = await client.get("/admin/v1/series", headers={"Authorization": f"Bearer {secret}"})
    problem(response, 401)
    [record] = await trail(client, admin, action="authenticate")
    assert (record["outcome"], record["token_id"]) == (401, None)
    dump = await db.fetchval("SELECT string_agg(t::text, ' ') FROM audit_records t")
    assert secret not in dump and "not-a-real" not in dump


async def test_failed_authentications_are_bounded_per_client(
    client: Client, admin: Headers, db: asyncpg.Connection, clock: MovableClock
) -> None:
    bad = {"Authorization": "Bearer nope"}
    for _ in range(70):
        await client.get("/admin/v1/series", headers=bad)
    assert await db.fetchval("SELECT count(*) FROM audit_records") == 60
    clock.advance(minutes=1)
    await client.get("/admin/v1/series", headers=bad)
    assert await db.fetchval("SELECT count(*) FROM audit_records") == 61


async def test_a_token_secret_written_never_reaches_the_trail(
    client: Client, admin: Headers, db: asyncpg.Connection
) -> None:
    issued = await client.post(
        "/admin/v1/tokens", json={"name": "web", "role": "editor"}, headers=admin
    )
    secret = issued.json()["secret"]
    await client.post(
        "/admin/v1/webhooks",
        json={"url": "https://hooks.example/x", "event_types": ["interview.published"]},
        headers=admin,
    )
    dump = await db.fetchval("SELECT string_agg(t::text, ' ') FROM audit_records t")
    assert secret not in dump
    assert {r["action"] for r in await trail(client, admin)} >= {"create_token", "create_webhook"}


async def test_filters_by_actor_and_time(
    client: Client, admin: Headers, editor: Headers, contributor: Headers, clock: MovableClock
) -> None:
    editor_id = await token_id(client, admin, editor)
    since = clock.now() + timedelta(minutes=1)
    clock.advance(minutes=2)
    await client.post("/admin/v1/people", json={"name": "Later"}, headers=editor)
    await client.post("/admin/v1/interviews", json={"title": "Draft"}, headers=contributor)
    by_editor = await trail(client, admin, actor=editor_id)
    assert len(by_editor) == 2 and all(r["token_id"] == editor_id for r in by_editor)
    recent = await trail(client, admin, since=since.isoformat())
    assert len(recent) == 2
    assert [r["at"] for r in recent] == sorted((r["at"] for r in recent), reverse=True)
    older = await trail(client, admin, until=since.isoformat())
    assert len(older) == 1


async def test_pages_visit_every_record_once(client: Client, admin: Headers) -> None:
    for n in range(5):
        await client.post("/admin/v1/people", json={"name": f"Person {n}"}, headers=admin)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await client.get(AUDIT, params=params, headers=admin)).json()
        seen += [record["id"] for record in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) == 5


async def test_only_admins_read_it(client: Client, editor: Headers) -> None:
    problem(await client.get(AUDIT, headers=editor), 403)


@pytest.mark.parametrize("query", ["since=yesterday", "actor=nobody", "cursor=!!"])
async def test_bad_filters_are_a_400(client: Client, admin: Headers, query: str) -> None:
    problem(await client.get(f"{AUDIT}?{query}", headers=admin), 400)


async def test_the_worker_forgets_records_past_retention(
    client: Client,
    admin: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    clock: MovableClock,
    settings: Settings,
) -> None:
    await client.post("/admin/v1/people", json={"name": "Old"}, headers=admin)
    clock.advance(days=settings.audit_retention_days - 1)
    await client.post("/admin/v1/people", json={"name": "New"}, headers=admin)
    retention = Retention()
    await retention.forget(pool, clock.now(), settings)
    assert await db.fetchval("SELECT count(*) FROM audit_records") == 2
    clock.advance(days=2)
    await retention.forget(pool, clock.now(), settings)
    assert await db.fetchval("SELECT count(*) FROM audit_records") == 1
