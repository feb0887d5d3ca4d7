"""View counts: recorded per client, flushed in bulk, ranked in the front page's popular section.

These tests hold the app itself (the `client` fixture does not expose it), so that they can
flush its view buffer and speak to it from several client addresses.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

import asyncpg
import httpx
import pytest

from app.cache import PublicCache
from app.content.view_counter import forget_view_limits
from app.main import create_app
from app.settings import Settings
from tests.conftest import MovableClock
from tests.content import (
    CONTENT,
    Headers,
    World,
    get_json,
    slugs,
)
from tests.factories import Client, Json
from tests.helpers import problem, schedule, withdraw


@asynccontextmanager
async def visitor(app: PublicCache, host: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(host, 40_000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def site(app: PublicCache) -> AsyncIterator[httpx.AsyncClient]:
    """The editors' and the first reader's client, from 127.0.0.1."""
    async with visitor(app, "127.0.0.1") as client:
        yield client


async def view(client: Client, slug: str) -> httpx.Response:
    return await client.post(f"{CONTENT}/interviews/{slug}/views")


async def views_from(app: PublicCache, hosts: list[str], slug: str) -> None:
    """One view of `slug` from each host."""
    for host in hosts:
        async with visitor(app, host) as reader:
            response = await view(reader, slug)
            assert response.status_code == 202, response.text


async def stored(db: asyncpg.Connection) -> dict[tuple[str, date], int]:
    rows = await db.fetch("SELECT interview_id, day, views FROM interview_views")
    return {(str(row["interview_id"]), row["day"]): row["views"] for row in rows}


async def popular(client: Client) -> list[str]:
    page = await get_json(client, f"{CONTENT}/frontpage", sections="popular", size=20)
    assert [s["name"] for s in page["sections"]] == ["popular"]
    return slugs(page["sections"][0]["items"])


async def test_a_view_is_accepted_and_counted(
    app: PublicCache, site: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    interview = await World(site, editor).published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov"
    )
    response = await view(site, interview["slug"])
    assert response.status_code == 202
    assert await stored(db) == {}  # buffered until the flush
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {(interview["id"], date(2026, 11, 26)): 1}
    assert await popular(site) == [interview["slug"]]
    await app.state.views.flush(app.state.pool)  # nothing pending: nothing added
    assert await stored(db) == {(interview["id"], date(2026, 11, 26)): 1}


async def test_only_public_interviews_take_views(
    app: PublicCache, site: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock
) -> None:
    world = World(site, editor)
    draft = await world.draft("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    scheduled = await world.draft("Thursday Interview", "Lauri Nikulainen", "Zara Aliyeva")
    await schedule(site, editor, scheduled, "2026-11-26T10:00:00Z")
    gone = await world.published("Thursday Interview", "Lauri Nikulainen", "Tigran Grigoryan")
    await withdraw(site, editor, gone)

    problem(await view(site, draft["slug"]), 404)
    problem(await view(site, scheduled["slug"]), 404)
    problem(await view(site, "no-such-interview"), 404)
    problem(await view(site, gone["slug"]), 404)
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {}

    clock.advance(hours=1)
    assert (await view(site, scheduled["slug"])).status_code == 202
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {(scheduled["id"], date(2026, 11, 26)): 1}


async def test_odd_slugs_are_no_server_error(site: Client, editor: Headers) -> None:
    await World(site, editor).published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    # 400 for a NUL, which no slug can hold and PostgreSQL cannot search for; else 404.
    for slug, status in [
        ("a%00b", 400),
        ("%ff", 404),
        ("x" * 5000, 404),
        ("thursday-interview-murad-muradov%00", 400),
    ]:
        problem(await view(site, slug), status)


async def test_popular_ranks_by_views_in_the_last_seven_days(
    app: PublicCache, site: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(site, editor)
    a = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    b = await world.published("Thursday Interview", "Lauri Nikulainen", "Zara Aliyeva")
    c = await world.published("Weekend Talk", "Anna Host", "Tigran Grigoryan")
    never = await world.published("Weekend Talk", "Anna Host", "Vardan Petrosyan")
    flush = app.state.views.flush

    # Thursday 26 November: five readers read B.
    await views_from(app, [f"10.0.0.{n}" for n in range(1, 6)], b["slug"])
    await flush(app.state.pool)
    assert await popular(site) == [b["slug"]]

    # Wednesday 2 December, six days on: A gets two readers, C one; B's five still count.
    clock.advance(days=6)
    await views_from(app, ["10.0.1.1", "10.0.1.2"], a["slug"])
    await views_from(app, ["10.0.1.3"], c["slug"])
    await flush(app.state.pool)
    assert await popular(site) == [b["slug"], a["slug"], c["slug"]]

    # Thursday 3 December: B's views are now more than seven days old.
    clock.advance(days=1)
    assert await popular(site) == [a["slug"], c["slug"]]
    page = await get_json(site, f"{CONTENT}/frontpage")
    by_name = {s["name"]: slugs(s["items"]) for s in page["sections"]}
    assert by_name["popular"] == [a["slug"], c["slug"]]
    assert never["slug"] not in by_name["popular"]

    # Withdrawn interviews leave the section, whatever their views.
    await withdraw(site, editor, a)
    assert await popular(site) == [c["slug"]]


async def test_one_client_counts_once_per_half_hour(
    app: PublicCache,
    site: Client,
    editor: Headers,
    db: asyncpg.Connection,
    clock: MovableClock,
) -> None:
    world = World(site, editor)
    a = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    b = await world.published("Thursday Interview", "Lauri Nikulainen", "Zara Aliyeva")
    day = date(2026, 11, 26)

    for _ in range(5):
        assert (await view(site, a["slug"])).status_code == 202
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {(a["id"], day): 1}

    assert (await view(site, b["slug"])).status_code == 202  # another interview counts
    await views_from(app, ["10.0.0.9"], a["slug"])  # so does another client
    clock.advance(minutes=29)
    assert (await view(site, a["slug"])).status_code == 202  # still within the half hour
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {(a["id"], day): 2, (b["id"], day): 1}

    clock.advance(minutes=1, seconds=1)  # 30 min 1 s after the first
    assert (await view(site, a["slug"])).status_code == 202
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {(a["id"], day): 3, (b["id"], day): 1}


async def test_too_many_view_requests_from_one_client_get_429(
    app: PublicCache,
    site: Client,
    editor: Headers,
    db: asyncpg.Connection,
    clock: MovableClock,
) -> None:
    world = World(site, editor)
    a = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    # Sixty requests a minute are fine, whether they count, repeat or miss.
    for n in range(60):
        slug = a["slug"] if n % 3 else "no-such-interview"
        response = await view(site, slug)
        assert response.status_code == (202 if n % 3 else 404), (n, response.text)

    for _ in range(3):
        response = await view(site, a["slug"])
        body = problem(response, 429)
        assert body["title"] == "Too Many Requests"
        retry_after = int(response.headers["retry-after"])
        assert 1 <= retry_after <= 60

    # Other clients are not held back.
    await views_from(app, ["10.0.0.2"], a["slug"])
    # A minute later the client may view again.
    clock.advance(seconds=61)
    assert (await view(site, a["slug"])).status_code == 202
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {(a["id"], date(2026, 11, 26)): 2}


async def test_many_readers_at_once(
    app: PublicCache, site: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    world = World(site, editor)
    a = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")

    async def read(n: int) -> int:
        async with visitor(app, f"10.1.{n // 250}.{n % 250}") as reader:
            return (await view(reader, a["slug"])).status_code

    assert await asyncio.gather(*(read(n) for n in range(40))) == [202] * 40
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {(a["id"], date(2026, 11, 26)): 40}


async def test_views_of_a_deleted_interview_are_dropped_at_flush(
    app: PublicCache, site: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    world = World(site, editor)
    a: Json = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    b = await world.published("Thursday Interview", "Lauri Nikulainen", "Zara Aliyeva")
    assert (await view(site, a["slug"])).status_code == 202
    assert (await view(site, b["slug"])).status_code == 202
    await withdraw(site, editor, a)  # a public interview is withdrawn before it is deleted
    response = await site.delete(
        f"/admin/v1/interviews/{a['id']}", headers={**editor, "If-Match": "*"}
    )
    assert response.status_code == 204, response.text
    await app.state.views.flush(app.state.pool)
    assert await stored(db) == {(b["id"], date(2026, 11, 26)): 1}
    assert app.state.views.pending == {}


async def test_the_limits_hold_across_processes(
    app: PublicCache,
    site: Client,
    editor: Headers,
    db: asyncpg.Connection,
    settings: Settings,
    pool: asyncpg.Pool,
    clock: MovableClock,
) -> None:
    """A second app over the same database, as another worker process of COLLOQUY_WORKERS or
    another instance is: its memory shares nothing with the first's."""
    other = create_app(settings, pool=pool, clock=clock)
    a = await World(site, editor).published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov"
    )
    async with visitor(other, "127.0.0.1") as same_reader:
        assert (await view(site, a["slug"])).status_code == 202
        assert (await view(same_reader, a["slug"])).status_code == 202
        for counter in (app.state.views, other.state.views):
            await counter.flush(pool)
        assert await stored(db) == {(a["id"], date(2026, 11, 26)): 1}

        for client in [site, same_reader] * 29:  # 2 + 58: the burst is spent
            assert (await view(client, a["slug"])).status_code == 202
        problem(await view(same_reader, a["slug"]), 429)
        problem(await view(site, a["slug"]), 429)


async def test_limits_past_their_window_are_forgotten(
    site: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock
) -> None:
    a = await World(site, editor).published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov"
    )
    assert (await view(site, a["slug"])).status_code == 202
    counts = "SELECT (SELECT count(*) FROM view_clients), (SELECT count(*) FROM view_marks)"
    clock.advance(minutes=1)
    await forget_view_limits(db, clock.now() - timedelta(seconds=1))
    assert tuple(await db.fetchrow(counts)) == (1, 1)
    await forget_view_limits(db, clock.now())
    assert tuple(await db.fetchrow(counts)) == (0, 1)  # the window is over, not the half hour
    clock.advance(minutes=29)
    await forget_view_limits(db, clock.now())
    assert tuple(await db.fetchrow(counts)) == (0, 0)
