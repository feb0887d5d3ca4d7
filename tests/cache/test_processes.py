"""Worker processes (COLLOQUY_WORKERS) and instances share nothing but the database: a write
through one is never answered stale by another once its commit's change notice has arrived there.

The other process is a second app over the same database with its own change listener, as
`colloquy serve` starts one per process."""

import asyncio
from collections.abc import Callable

import asyncpg
import httpx

from app.cache import PublicCache, keep_listening
from app.main import create_app
from app.settings import Settings
from tests.cache import get
from tests.conftest import MovableClock
from tests.factories import Client, make_interview, make_person, make_series
from tests.helpers import ok, publish

FEED = "/feeds/all.atom"


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{what} within 5 s")


async def test_a_write_through_one_process_is_not_answered_stale_by_another(
    client: Client,
    editor: dict[str, str],
    settings: Settings,
    pool: asyncpg.Pool,
    clock: MovableClock,
    database_url: str,
) -> None:
    series = await make_series(client, editor)
    host = await make_person(client, editor, "Lauri Nikulainen")
    guest = await make_person(client, editor, "Murad Muradov")
    interview = await publish(
        client, editor, await make_interview(client, editor, series, host, guest)
    )
    # Started after those writes, the other process hears none of their notices.
    other: PublicCache = create_app(settings, pool=pool, clock=clock)
    listener = asyncio.create_task(keep_listening(database_url, other.freshness))
    transport = httpx.ASGITransport(app=other)  # type: ignore[arg-type]
    try:
        await until(lambda: other.freshness.listening, "the other process listens")
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as reader:
            before = await get(reader, FEED)
            hits = other.hits
            assert (await get(reader, FEED)).content == before.content
            assert other.hits == hits + 1  # the other process answers from its cache

            changes = other.freshness.changes
            response = await client.patch(
                f"/admin/v1/interviews/{interview['id']}",
                json={"title": "A title set through the first process"},
                headers=editor,
            )
            ok(response)
            await until(lambda: other.freshness.changes > changes, "the notice arrives")
            after = await get(reader, FEED)
            assert "A title set through the first process" in after.text
            assert after.headers["etag"] != before.headers["etag"]
    finally:
        listener.cancel()
