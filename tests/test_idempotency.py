"""Admin POSTs with an `Idempotency-Key` run once: retries get the first answer.

Before, a client that retried a POST after a timeout created a second interview.
"""

import asyncio

import asyncpg
import pytest

from tests.conftest import MovableClock
from tests.factories import Client, Headers
from tests.helpers import problem

SERIES = "/admin/v1/series"
THURSDAYS = {"title": "Thursday Interview"}


def keyed(headers: Headers, key: str) -> Headers:
    return {**headers, "Idempotency-Key": key}


async def count(db: asyncpg.Connection, table: str) -> int:
    return int(await db.fetchval(f"SELECT count(*) FROM {table}"))


async def test_a_retry_gets_the_first_answer(
    client: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    first = await client.post(SERIES, json=THURSDAYS, headers=keyed(editor, "create-1"))
    again = await client.post(SERIES, json=THURSDAYS, headers=keyed(editor, "create-1"))
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    for header in ("etag", "location", "content-type"):
        assert again.headers.get(header) == first.headers.get(header), header
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count(db, "series") == 1


async def test_twenty_retries_at_once_create_one(
    client: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    person = {"name": "Murad Muradov"}
    answers = await asyncio.gather(
        *(
            client.post("/admin/v1/people", json=person, headers=keyed(editor, "murad"))
            for _ in range(20)
        )
    )
    assert await count(db, "people") == 1
    created = [answer for answer in answers if answer.status_code == 201]
    assert created, [answer.text for answer in answers]
    assert all(answer.json() == created[0].json() for answer in created)
    for answer in answers:
        if answer.status_code != 201:
            assert problem(answer, 409)["errors"][0]["field"] == "Idempotency-Key"


async def test_the_same_key_with_another_body_is_a_422(client: Client, editor: Headers) -> None:
    await client.post(SERIES, json=THURSDAYS, headers=keyed(editor, "k"))
    other = await client.post(SERIES, json={"title": "Monday Talks"}, headers=keyed(editor, "k"))
    assert problem(other, 422)["errors"][0]["field"] == "Idempotency-Key"


async def test_a_key_is_per_token(
    client: Client, editor: Headers, admin: Headers, db: asyncpg.Connection
) -> None:
    await client.post(SERIES, json=THURSDAYS, headers=keyed(editor, "k"))
    second = await client.post(
        SERIES, json={**THURSDAYS, "slug": "thursdays"}, headers=keyed(admin, "k")
    )
    assert second.status_code == 201, second.text
    assert await count(db, "series") == 2


async def test_a_refused_request_is_not_kept(
    client: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    """A refused request changed nothing, so its answer is not kept: the same request with the
    same key runs again once what refused it has gone."""
    body = {"title": "Thursday Interview", "slug": "thursday-interview"}
    taken = await client.post(SERIES, json=body, headers=editor)
    assert taken.status_code == 201
    refused = await client.post(SERIES, json=body, headers=keyed(editor, "retry-me"))
    problem(refused, 409)
    await client.delete(f"{SERIES}/{taken.json()['id']}", headers=editor)
    retried = await client.post(SERIES, json=body, headers=keyed(editor, "retry-me"))
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers


async def test_a_key_is_kept_for_24_hours(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock
) -> None:
    person = {"name": "Lauri Nikulainen"}
    await client.post("/admin/v1/people", json=person, headers=keyed(editor, "lauri"))
    clock.advance(hours=23, minutes=59)
    replay = await client.post("/admin/v1/people", json=person, headers=keyed(editor, "lauri"))
    assert replay.headers["idempotent-replayed"] == "true"
    clock.advance(minutes=2)
    fresh = await client.post("/admin/v1/people", json=person, headers=keyed(editor, "lauri"))
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert await count(db, "people") == 2


async def test_a_claim_whose_request_never_finished_is_taken_over(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock
) -> None:
    """A process that died mid-request leaves a claim without an answer; it holds the key for
    five minutes, then the key is free again."""
    await db.execute(
        """
        INSERT INTO idempotency_keys (owner, key, request, created_at)
        VALUES (sha256(convert_to($1, 'latin1')), 'stuck', '\\x00', $2)
        """,
        editor["Authorization"],
        clock.now(),
    )
    busy = await client.post(SERIES, json=THURSDAYS, headers=keyed(editor, "stuck"))
    assert problem(busy, 422)["errors"][0]["field"] == "Idempotency-Key", "another request"
    clock.advance(minutes=6)
    taken_over = await client.post(SERIES, json=THURSDAYS, headers=keyed(editor, "stuck"))
    assert taken_over.status_code == 201, taken_over.text


async def test_a_retry_while_the_first_runs_is_a_409(
    client: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    """The first request holds the key until it answers: a lock on the series table keeps it
    running while the retry comes."""
    async with db.transaction():
        await db.execute("LOCK TABLE series IN EXCLUSIVE MODE")
        first = asyncio.create_task(
            client.post(SERIES, json=THURSDAYS, headers=keyed(editor, "slow"))
        )
        for _ in range(500):  # until the first has claimed the key
            if await db.fetchval("SELECT count(*) FROM idempotency_keys"):
                break
            await asyncio.sleep(0.01)
        retry = await client.post(SERIES, json=THURSDAYS, headers=keyed(editor, "slow"))
        assert problem(retry, 409)["errors"][0]["field"] == "Idempotency-Key"
    assert (await first).status_code == 201


@pytest.mark.parametrize("key", [b"", b" ", b"a b", "é".encode(), b"x" * 256])
async def test_a_bad_key_is_a_400(client: Client, editor: Headers, key: bytes) -> None:
    headers = [(name.encode(), value.encode()) for name, value in editor.items()]
    response = await client.post(
        SERIES, json=THURSDAYS, headers=[*headers, (b"Idempotency-Key", key)]
    )
    assert problem(response, 400)["errors"][0]["field"] == "Idempotency-Key"


async def test_without_a_token_it_is_a_401(client: Client) -> None:
    response = await client.post(SERIES, json=THURSDAYS, headers={"Idempotency-Key": "k"})
    problem(response, 401)


async def test_a_body_too_large_is_a_413(client: Client, editor: Headers) -> None:
    large = {"title": "x", "description": "y" * 70_000}
    response = await client.post(SERIES, json=large, headers=keyed(editor, "big"))
    problem(response, 413)
