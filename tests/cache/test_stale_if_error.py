"""While the database cannot be reached, readers get the last good answer rather than an error.

The database is taken away for real: the app under test reaches PostgreSQL only through a TCP
relay on a port of its own (tests/relay.py: its pool, and its change listener unless a test
wants that one to stay), and closing the relay drops every connection through it and leaves
nothing listening on that port.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
import httpx
import msgspec
import pytest

from app.cache import PublicCache, keep_listening
from app.db import create_pool
from app.main import create_app
from app.settings import Settings
from tests.cache import get
from tests.conftest import MovableClock
from tests.factories import Client, Json, make_interview, make_person, make_series
from tests.helpers import publish, withdraw
from tests.relay import Relay

FEED = "/feeds/all.atom"
FRONTPAGE = "/content/v1/frontpage"
TITLE = "Thursday Interview: Murad Muradov"


async def until_true(condition: Callable[[], bool], what: str, seconds: float = 5) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{what} within {seconds} s")


class Outage:
    """The app and a client of it, and the switch that takes its database away."""

    def __init__(
        self, app: PublicCache, client: Client, relay: Relay, listener_cut_too: bool
    ) -> None:
        self.app = app
        self.client = client
        self.relay = relay
        self.listener_cut_too = listener_cut_too

    async def begin(self) -> None:
        await self.relay.close()
        # A connection cut while a request holds it fails in other ways; that is not the case
        # under test here, so wait for the pool to see that its connections are gone.
        pool = self.app.state.pool
        await until_true(lambda: pool.get_idle_size() == 0, "the pool noticed")
        if self.listener_cut_too:
            freshness = self.app.freshness
            await until_true(lambda: not freshness.listening, "the change listener noticed")

    async def end(self) -> None:
        await self.relay.open()
        freshness = self.app.freshness
        # The listener tries again every second.
        await until_true(lambda: freshness.listening, "the change listener was back", 6)


@asynccontextmanager
async def serving(
    settings: Settings, clock: MovableClock, database_url: str, *, listener_cut_too: bool
) -> AsyncIterator[Outage]:
    """An app whose pool reaches the database through a relay (and its change listener
    too, if `listener_cut_too`): reachable until `outage.begin()`."""
    relay = Relay(database_url)
    await relay.open()
    pool = await create_pool(relay.url, 2)
    app = create_app(
        msgspec.structs.replace(settings, database_url=relay.url), pool=pool, clock=clock
    )
    listen_url = relay.url if listener_cut_too else database_url
    listener = asyncio.create_task(keep_listening(listen_url, app.freshness))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    try:
        await until_true(lambda: app.freshness.listening, "the change listener started")
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Outage(app, client, relay, listener_cut_too)
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        pool.terminate()
        if relay.open_now:
            await relay.close()


@pytest.fixture
async def outage(
    settings: Settings, database_url: str, clock: MovableClock, db: asyncpg.Connection
) -> AsyncIterator[Outage]:
    """The database goes away for the pool and the change listener alike."""
    async with serving(settings, clock, database_url, listener_cut_too=True) as outage:
        yield outage


@pytest.fixture
async def pool_outage(
    settings: Settings, database_url: str, clock: MovableClock, db: asyncpg.Connection
) -> AsyncIterator[Outage]:
    """The database goes away for the pool only: the change listener has not noticed (yet), so
    the failure shows first in a route's own query, which the app answers with a 503."""
    async with serving(settings, clock, database_url, listener_cut_too=False) as outage:
        yield outage


async def publish_one(client: Client, editor: dict[str, str]) -> Json:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    return await publish(client, editor, await make_interview(client, editor, series, lauri, murad))


def stale(response: httpx.Response) -> bool:
    directives = [part.strip() for part in response.headers["cache-control"].split(",")]
    return "max-age=0" in directives and any(d.startswith("stale-if-error=") for d in directives)


def unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["status"] == 503


async def test_the_last_good_answer_is_served_while_the_database_is_away(
    outage: Outage, editor: dict[str, str]
) -> None:
    client = outage.client
    interview = await publish_one(client, editor)
    card = f"/content/v1/interviews/{interview['slug']}/card"
    before = {path: await get(client, path) for path in (FEED, card)}
    gzipped = await client.get(FEED, headers={"Accept-Encoding": "gzip"})
    await outage.begin()
    for path, good in before.items():
        response = await get(client, path)
        assert response.status_code == 200, response.text
        assert response.content == good.content
        assert TITLE in response.text
        assert response.headers["etag"] == good.headers["etag"]
        assert response.headers["last-modified"] == good.headers["last-modified"]
        assert stale(response), response.headers["cache-control"]
        head = await get(client, path, method="HEAD")
        assert (head.status_code, head.content) == (200, b"")
        assert stale(head)
        conditional = await get(client, path, {"If-None-Match": good.headers["etag"]})
        assert conditional.status_code == 304
        assert stale(conditional)
    again = await client.get(FEED, headers={"Accept-Encoding": "gzip"})
    assert again.headers["content-encoding"] == "gzip"
    assert again.headers["etag"] == gzipped.headers["etag"]
    assert again.content == gzipped.content


async def test_without_a_good_answer_it_is_a_503(outage: Outage, editor: dict[str, str]) -> None:
    client = outage.client
    await publish_one(client, editor)
    assert (await get(client, FEED)).status_code == 200
    await outage.begin()
    unavailable(await get(client, "/feeds/all.rss"))
    unavailable(await get(client, "/content/v1/interviews/nobody/card"))
    head = await get(client, "/feeds/all.rss", method="HEAD")
    assert (head.status_code, head.content) == (503, b"")


async def test_an_answer_a_write_made_wrong_is_not_served_stale(
    outage: Outage, editor: dict[str, str]
) -> None:
    """A withdrawn interview must not come back because the database went away before anyone
    asked for its page again."""
    client = outage.client
    interview = await publish_one(client, editor)
    card = f"/content/v1/interviews/{interview['slug']}/card"
    assert (await get(client, card)).status_code == 200
    assert TITLE in (await get(client, FEED)).text
    await withdraw(client, editor, interview)
    await outage.begin()
    unavailable(await get(client, card))
    unavailable(await get(client, FEED))


async def test_when_the_database_is_back_answers_are_fresh_again(
    outage: Outage, editor: dict[str, str]
) -> None:
    client = outage.client
    await publish_one(client, editor)
    good = await get(client, FEED)
    await outage.begin()
    assert stale(await get(client, FEED))
    await outage.end()
    response = await get(client, FEED)
    assert response.status_code == 200
    assert not stale(response)
    assert response.content == good.content


async def test_a_route_that_cannot_reach_the_database_gets_the_last_good_answer(
    pool_outage: Outage, clock: MovableClock
) -> None:
    """The change listener still listens, but the pool cannot reach the database: the route's
    own query fails and the app answers 503, and the cache stands in for it."""
    client = pool_outage.client
    good = await get(client, FRONTPAGE)  # no content written: no change notice on its way
    assert good.status_code == 200
    await pool_outage.begin()
    clock.advance(seconds=61)  # the front page's minute is up: it must be rendered again
    response = await get(client, FRONTPAGE)
    assert pool_outage.app.freshness.listening
    assert response.status_code == 200, response.text
    assert stale(response)
    assert response.content == good.content
    unavailable(await get(client, "/feeds/all.json"))
