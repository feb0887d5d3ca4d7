"""WebSub: with a hub configured, every feed names it, in the document and in a Link header."""

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import unquote

import asyncpg
import httpx
import msgspec
import pytest

from app.cache import keep_listening
from app.main import create_app
from app.settings import Settings
from tests.conftest import MovableClock
from tests.factories import Client, make_interview, make_person, make_series
from tests.feeds import BASE, FORMATS, feed_links, get_feed, parsed, publish

HUB = "https://hub.example/"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The conftest's settings, with a WebSub hub."""
    return msgspec.structs.replace(settings, websub_hub=HUB)


@pytest.fixture
async def hub_client(
    settings: Settings, pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a WebSub hub, built as the conftest's `client` builds it."""
    assert settings.websub_hub == HUB
    app = create_app(settings, pool=pool, clock=clock)
    freshness = app.state.freshness
    listener = asyncio.create_task(keep_listening(settings.database_url or "", freshness))
    for _ in range(1000):
        if freshness.listening:
            break
        await asyncio.sleep(0.005)
    else:
        raise RuntimeError("the change listener did not start within 5 s")
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        listener.cancel()


@pytest.fixture
async def interviews(hub_client: Client, editor: dict[str, str], clock: MovableClock) -> None:
    """22 public interviews, so that feeds have a second page."""
    series = await make_series(hub_client, editor)
    lauri = await make_person(hub_client, editor, "Lauri Nikulainen")
    for number in range(22):
        guest = await make_person(hub_client, editor, f"Guest {number:02}")
        await publish(
            hub_client, editor, await make_interview(hub_client, editor, series, lauri, guest)
        )
        clock.advance(minutes=1)


def check_hub(response: httpx.Response, ending: str, self_url: str) -> None:
    links = response.links
    assert links["hub"]["url"] == HUB
    assert links["self"]["url"] == self_url
    in_feed = feed_links(response, ending)
    assert in_feed["self"] == self_url
    if ending == "json":
        assert response.json()["hubs"] == [{"type": "WebSub", "url": HUB}]
    else:
        assert in_feed["hub"] == HUB
        parsed(response)


@pytest.mark.parametrize("scope", ["all", "series/thursday-interview", "people/lauri-nikulainen"])
@pytest.mark.parametrize("ending", FORMATS)
async def test_feeds_name_the_hub(
    hub_client: Client, interviews: None, ending: str, scope: str
) -> None:
    path = f"/feeds/{scope}.{ending}"
    first = await get_feed(hub_client, path)
    check_hub(first, ending, f"{BASE}{path}")

    # A second page names itself, not the first page, as the topic.
    next_url = feed_links(first, ending)["next"]
    check_hub(await get_feed(hub_client, next_url), ending, next_url)

    # From the cache, the Link header is still there. (A 304 need not repeat it: a cache
    # keeps the stored response's Link when it freshens it, RFC 9111 section 4.3.4.)
    again = await get_feed(hub_client, path)
    assert again.headers["etag"] == first.headers["etag"]
    check_hub(again, ending, f"{BASE}{path}")
    not_modified = await hub_client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.headers["etag"] == first.headers["etag"]


@pytest.mark.parametrize("ending", FORMATS)
async def test_hub_links_for_non_latin_slugs(
    hub_client: Client, editor: dict[str, str], ending: str
) -> None:
    """Slugs keep letters of other scripts; the Link header must still be a valid header."""
    series = await make_series(hub_client, editor, title="Четверговое интервью")
    maria = await make_person(hub_client, editor, "Мария Иванова")
    guest = await make_person(hub_client, editor, "Արամ Խաչատրյան")
    await publish(
        hub_client, editor, await make_interview(hub_client, editor, series, maria, guest)
    )
    for path in (
        f"/feeds/people/{maria['slug']}.{ending}",
        f"/feeds/series/{series['slug']}.{ending}",
    ):
        response = await get_feed(hub_client, path)
        links = response.links
        assert links["hub"]["url"] == HUB
        assert unquote(links["self"]["url"]) == f"{BASE}{path}"
        assert links["self"]["url"].isascii(), "a URI in a header, percent-encoded"
