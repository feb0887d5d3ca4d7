"""Feeds of a tag, /feeds/tags/{tag}.rss|.atom|.json: the tag's public interviews only."""

from urllib.parse import quote

import pytest

from tests.conftest import MovableClock
from tests.content import Headers, World
from tests.factories import Client, Json
from tests.feeds import BASE, FORMATS, feed_links, get_feed, item_ids, parsed, urn
from tests.feeds.test_feeds import check_json_feed
from tests.helpers import fields, problem, schedule
from tests.trash import trashed

PEACE = "peace process"
ELECTIONS = "Élections"


async def tagged_world(client: Client, editor: Headers, clock: MovableClock) -> dict[str, Json]:
    """Public interviews with tags, and the same tags on a draft, an interview in a hidden
    series and a scheduled one trashed before its time came."""
    world = World(client, editor)
    found = {
        "peace": await world.published(
            "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=[PEACE, "Armenia"]
        )
    }
    clock.advance(minutes=1)  # "both" is the newer
    found["both"] = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Nino Beridze", tags=[ELECTIONS, PEACE]
    )
    found["draft"] = await world.draft(
        "Thursday Interview", "Lauri Nikulainen", "Draft Guest", tags=[PEACE, "drafted"]
    )
    await world.series("Secret Series", visibility="hidden")
    found["hidden"] = await world.published(
        "Secret Series", "Hidden Host", "Hidden Guest", tags=[PEACE, "hidden"]
    )
    found["trashed"] = await world.draft(
        "Thursday Interview", "Lauri Nikulainen", "Trashed Guest", tags=[PEACE, "trashed"]
    )
    await schedule(client, editor, found["trashed"], "2026-11-26T09:30:00Z")
    await trashed(client, editor, "interviews", found["trashed"])
    clock.advance(hours=1)
    return found


def feed_path(tag: str, ending: str) -> str:
    return f"/feeds/tags/{quote(tag, safe='')}.{ending}"


@pytest.mark.parametrize("ending", FORMATS)
@pytest.mark.parametrize(
    ("tag", "expected"),
    [(PEACE, ["both", "peace"]), (ELECTIONS, ["both"]), ("Armenia", ["peace"])],
    ids=["space", "accent", "plain"],
)
async def test_a_tag_feed_has_the_tags_public_interviews(
    client: Client,
    editor: Headers,
    clock: MovableClock,
    ending: str,
    tag: str,
    expected: list[str],
) -> None:
    found = await tagged_world(client, editor, clock)
    response = await get_feed(client, feed_path(tag, ending))
    assert item_ids(response, ending) == [urn(found[name]) for name in expected]
    encoded = quote(tag, safe="")
    links = feed_links(response, ending)
    assert links["self"] == f"{BASE}/feeds/tags/{encoded}.{ending}"
    if ending != "rss":  # RSS links its page with <link>, which feedparser reads below
        assert links["alternate"] == f"{BASE}/tags/{encoded}"
    title = f"{tag} – Colloquy"
    if ending == "json":
        document = response.json()
        check_json_feed(document)
        assert document["title"] == title
        assert document["description"] == f"Interviews tagged {tag}"
    else:
        feed = parsed(response)
        assert feed.feed.title == title
        assert feed.feed.link == f"{BASE}/tags/{encoded}"


@pytest.mark.parametrize("ending", FORMATS)
@pytest.mark.parametrize(
    "tag", ["drafted", "hidden", "trashed", "no such tag", "armenia", "Elections", "peace"]
)
async def test_a_tag_without_public_interviews_has_no_feed(
    client: Client, editor: Headers, clock: MovableClock, ending: str, tag: str
) -> None:
    await tagged_world(client, editor, clock)
    problem(await client.get(feed_path(tag, ending)), 404)


@pytest.mark.parametrize("path", ["/feeds/tags/Armenia.xml", "/feeds/tags/Armenia"])
async def test_unsupported_format_is_404(
    client: Client, editor: Headers, clock: MovableClock, path: str
) -> None:
    await tagged_world(client, editor, clock)
    problem(await client.get(path), 404)


@pytest.mark.parametrize("ending", FORMATS)
async def test_a_tag_feed_comes_in_pages(
    client: Client, editor: Headers, clock: MovableClock, ending: str
) -> None:
    world = World(client, editor)
    published = []
    for number in range(25):
        published.append(
            await world.published(
                "Thursday Interview", "Lauri Nikulainen", f"Guest {number:02}", tags=[PEACE]
            )
        )
        clock.advance(minutes=1)
    newest_first = [urn(interview) for interview in reversed(published)]
    first = await get_feed(client, feed_path(PEACE, ending))
    second = await get_feed(client, feed_links(first, ending)["next"])
    assert item_ids(first, ending) + item_ids(second, ending) == newest_first
    assert "next" not in feed_links(second, ending)


@pytest.mark.parametrize("ending", FORMATS)
@pytest.mark.parametrize("tag", ["EU/UK", "24/7 news/live"])
async def test_a_tag_holding_a_slash_has_its_page_and_feeds(
    client: Client, editor: Headers, ending: str, tag: str
) -> None:
    """Percent-encoded, a `/` arrives decoded, as any other character of the tag does."""
    world = World(client, editor)
    interview = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=[tag, "EU"]
    )
    response = await get_feed(client, feed_path(tag, ending))
    assert item_ids(response, ending) == [urn(interview)]
    page = await client.get(f"/content/v1/tags/{quote(tag, safe='')}")
    assert page.status_code == 200, page.text
    assert (page.json()["tag"], page.json()["count"]) == (tag, 1)
    assert page.json()["url"] == f"{BASE}/tags/{quote(tag, safe='')}"


@pytest.mark.parametrize("tag", ["/lead", "trailing/", "two//slashes", " / spaced"])
async def test_a_tag_a_path_would_lose_slashes_of_is_refused(
    client: Client, editor: Headers, tag: str
) -> None:
    world = World(client, editor)
    interview = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}", json={"tags": [tag]}, headers=editor
    )
    assert fields(problem(response, 422)) == ["tags"]
