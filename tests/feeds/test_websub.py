"""WebSub: with a hub configured, every feed names it, in the document and in a Link header."""

from urllib.parse import unquote

import httpx
import msgspec
import pytest

from app.settings import Settings
from tests.conftest import MovableClock
from tests.factories import Client, make_interview, make_person, make_series
from tests.feeds import BASE, FORMATS, feed_links, get_feed, parsed
from tests.helpers import publish

HUB = "https://hub.example/"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The conftest's settings, with a WebSub hub."""
    return msgspec.structs.replace(settings, websub_hub=HUB)


@pytest.fixture
async def interviews(client: Client, editor: dict[str, str], clock: MovableClock) -> None:
    """22 public interviews, so that feeds have a second page."""
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    for number in range(22):
        guest = await make_person(client, editor, f"Guest {number:02}")
        await publish(client, editor, await make_interview(client, editor, series, lauri, guest))
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
    client: Client, interviews: None, ending: str, scope: str
) -> None:
    path = f"/feeds/{scope}.{ending}"
    first = await get_feed(client, path)
    check_hub(first, ending, f"{BASE}{path}")

    # A second page names itself, not the first page, as the topic.
    next_url = feed_links(first, ending)["next"]
    check_hub(await get_feed(client, next_url), ending, next_url)

    # From the cache, the Link header is still there. (A 304 need not repeat it: a cache
    # keeps the stored response's Link when it freshens it, RFC 9111 section 4.3.4.)
    again = await get_feed(client, path)
    assert again.headers["etag"] == first.headers["etag"]
    check_hub(again, ending, f"{BASE}{path}")
    not_modified = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.headers["etag"] == first.headers["etag"]


@pytest.mark.parametrize("ending", FORMATS)
async def test_hub_links_for_non_latin_slugs(
    client: Client, editor: dict[str, str], ending: str
) -> None:
    """Slugs keep letters of other scripts; the Link header must still be a valid header."""
    series = await make_series(client, editor, title="Четверговое интервью")
    maria = await make_person(client, editor, "Мария Иванова")
    guest = await make_person(client, editor, "Արամ Խաչատրյան")
    await publish(client, editor, await make_interview(client, editor, series, maria, guest))
    for path in (
        f"/feeds/people/{maria['slug']}.{ending}",
        f"/feeds/series/{series['slug']}.{ending}",
    ):
        response = await get_feed(client, path)
        links = response.links
        assert links["hub"]["url"] == HUB
        assert unquote(links["self"]["url"]) == f"{BASE}{path}"
        assert links["self"]["url"].isascii(), "a URI in a header, percent-encoded"
