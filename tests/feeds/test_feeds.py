"""Feeds in RSS 2.0, Atom 1.0 and JSON Feed 1.1: for everything, one series and one person."""

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import MovableClock
from tests.factories import Client, Json, make_interview, make_person, make_series
from tests.feeds import BASE, FORMATS, NS, feed_links, get_feed, item_ids, parsed, urn, xml
from tests.helpers import publish, schedule

TEASER = "We start the series with Murad Muradov, who leads a think tank in Baku."
IMAGE = {
    "url": "https://img.example/murad.jpg",
    "alt": "Murad Muradov at his desk in Baku",
    "credit": "Photo: Colloquy",
    "width": 2400,
    "height": 1600,
}
TAGS = ["Azerbaijan", "Think tanks"]
QUESTION = "<strong>Lauri Nikulainen:</strong> How was your visit?"
ANSWER = "<strong>Murad Muradov:</strong> My experience was <em>largely positive</em>."
PUBLISHED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass
class Thursday:
    series: Json
    lauri: Json
    murad: Json
    interview: Json

    @property
    def url(self) -> str:
        return f"{BASE}/interviews/{self.interview['slug']}"


@pytest.fixture
async def thursday(client: Client, editor: dict[str, str]) -> Thursday:
    """The seed's Thursday Interview, published at 09:00 with a teaser, tags and an image."""
    series = await make_series(client, editor, description="Conversations every Thursday")
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    interview = await make_interview(client, editor, series, lauri, murad, tags=TAGS, image=IMAGE)
    response = await client.put(
        f"/admin/v1/interviews/{interview['id']}/teasers/card",
        json={"text": TEASER},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    return Thursday(series, lauri, murad, await publish(client, editor, interview))


# scope, feed title, the site page it mirrors, description
SCOPES = [
    ("all", "Colloquy", BASE, "Interviews from Colloquy"),
    (
        "series/thursday-interview",
        "Thursday Interview – Colloquy",
        f"{BASE}/series/thursday-interview",
        "Conversations every Thursday",
    ),
    (
        "people/lauri-nikulainen",
        "Lauri Nikulainen – Colloquy",
        f"{BASE}/people/lauri-nikulainen",
        "Interviews with Lauri Nikulainen",
    ),
    (
        "people/murad-muradov",
        "Murad Muradov – Colloquy",
        f"{BASE}/people/murad-muradov",
        "Interviews with Murad Muradov",
    ),
]
SCOPE_IDS = [scope[0] for scope in SCOPES]


def check_podcast_people(item: Any) -> None:
    people = [
        (person.get("role"), person.text, person.get("href"))
        for person in item.findall("podcast:person", NS)
    ]
    assert people == [
        ("host", "Lauri Nikulainen", f"{BASE}/people/lauri-nikulainen"),
        ("guest", "Murad Muradov", f"{BASE}/people/murad-muradov"),
    ]


def check_media(item: Any) -> None:
    media = item.findall("media:content", NS)
    assert len(media) == 1
    assert media[0].get("url") == IMAGE["url"]
    assert media[0].get("medium") == "image"
    assert media[0].findtext("media:description", None, NS) == IMAGE["alt"]


@pytest.mark.parametrize(("scope", "title", "link", "description"), SCOPES, ids=SCOPE_IDS)
async def test_rss(
    client: Client, thursday: Thursday, scope: str, title: str, link: str, description: str
) -> None:
    response = await get_feed(client, f"/feeds/{scope}.rss")
    feed = parsed(response)
    assert feed.version == "rss20"
    assert feed.feed.title == title
    assert feed.feed.link == link
    assert feed.feed.description == description
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == thursday.interview["title"] == "Thursday Interview: Murad Muradov"
    assert entry.link == thursday.url
    assert entry.link == f"{BASE}/interviews/thursday-interview-murad-muradov"
    assert entry.id == urn(thursday.interview)
    assert entry.guidislink is False
    assert tuple(entry.published_parsed)[:6] == (2026, 11, 26, 9, 0, 0)
    assert entry.author == "Lauri Nikulainen"
    assert entry.summary == TEASER
    html = entry.content[0].value
    assert QUESTION in html
    assert ANSWER in html
    assert [tag.term for tag in entry.tags] == ["Thursday Interview", *TAGS]

    channel = xml(response).find("channel")
    assert channel is not None
    assert feed_links(response, "rss")["self"] == f"{BASE}/feeds/{scope}.rss"
    (item,) = channel.findall("item")
    guid = item.find("guid")
    assert guid is not None
    assert guid.get("isPermaLink") == "false"
    assert guid.text == urn(thursday.interview)
    assert item.findtext("pubDate") == "Thu, 26 Nov 2026 09:00:00 GMT"
    assert [c.text for c in item.findall("dc:creator", NS)] == ["Lauri Nikulainen"]
    assert [c.text for c in item.findall("category")] == ["Thursday Interview", *TAGS]
    encoded = item.findtext("content:encoded", "", NS)
    assert QUESTION in encoded
    assert ANSWER in encoded
    check_media(item)
    check_podcast_people(item)


@pytest.mark.parametrize(("scope", "title", "link", "description"), SCOPES, ids=SCOPE_IDS)
async def test_atom(
    client: Client, thursday: Thursday, scope: str, title: str, link: str, description: str
) -> None:
    response = await get_feed(client, f"/feeds/{scope}.atom")
    feed = parsed(response)
    assert feed.version == "atom10"
    assert feed.feed.title == title
    assert feed.feed.link == link
    assert feed.feed.subtitle == description
    assert feed.feed.id == f"{BASE}/feeds/{scope}.atom"
    assert tuple(feed.feed.updated_parsed)[:6] == (2026, 11, 26, 9, 0, 0)
    assert feed.feed.author_detail.name == "Colloquy"
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == "Thursday Interview: Murad Muradov"
    assert entry.link == thursday.url
    assert entry.id == urn(thursday.interview)
    assert tuple(entry.published_parsed)[:6] == (2026, 11, 26, 9, 0, 0)
    assert entry.updated_parsed is not None
    assert [author.name for author in entry.authors] == ["Lauri Nikulainen"]
    assert entry.summary == TEASER
    assert entry.content[0].type == "text/html"
    assert QUESTION in entry.content[0].value
    assert ANSWER in entry.content[0].value
    assert [tag.term for tag in entry.tags] == ["Thursday Interview", *TAGS]

    root = xml(response)
    assert feed_links(response, "atom")["self"] == f"{BASE}/feeds/{scope}.atom"
    assert feed_links(response, "atom")["alternate"] == link
    assert root.findtext("atom:id", None, NS) == f"{BASE}/feeds/{scope}.atom"
    updated = root.findtext("atom:updated", "", NS)
    assert RFC3339.match(updated)
    assert datetime.fromisoformat(updated) == PUBLISHED
    assert root.findtext("atom:author/atom:name", None, NS) == "Colloquy"
    (entry_xml,) = root.findall("atom:entry", NS)
    assert RFC3339.match(entry_xml.findtext("atom:published", "", NS))
    assert [a.text for a in entry_xml.findall("atom:author/atom:name", NS)] == ["Lauri Nikulainen"]
    content = entry_xml.find("atom:content", NS)
    assert content is not None
    assert content.get("type") == "html"
    assert QUESTION in (content.text or "")
    check_media(entry_xml)
    check_podcast_people(entry_xml)


def check_json_feed(document: Any) -> None:
    """The structure JSON Feed 1.1 (https://jsonfeed.org/version/1.1) asks for."""

    def is_url(value: Any) -> bool:
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is not None and parts.scheme in ("http", "https") and bool(parts.netloc)

    def check_authors(authors: Any) -> None:
        assert isinstance(authors, list)
        for author in authors:
            assert isinstance(author, dict)
            assert set(author) <= {"name", "url", "avatar"} and author, author
            assert all(isinstance(value, str) for value in author.values())
            if "url" in author:
                assert is_url(author["url"])

    assert isinstance(document, dict)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str) and document["title"]
    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        if key in document:
            assert is_url(document[key]), key
    for key in ("description", "user_comment", "language"):
        if key in document:
            assert isinstance(document[key], str), key
    if "expired" in document:
        assert isinstance(document["expired"], bool)
    if "authors" in document:
        check_authors(document["authors"])
    for hub in document.get("hubs", []):
        assert isinstance(hub["type"], str) and is_url(hub["url"])
    assert isinstance(document["items"], list)
    seen: set[str] = set()
    for item in document["items"]:
        assert isinstance(item, dict)
        assert isinstance(item["id"], str) and item["id"], "every item has a string id"
        assert item["id"] not in seen, "ids are unique within the feed"
        seen.add(item["id"])
        assert "content_html" in item or "content_text" in item
        for key in ("content_html", "content_text", "title", "summary", "language"):
            if key in item:
                assert isinstance(item[key], str), key
        for key in ("url", "external_url", "image", "banner_image"):
            if key in item:
                assert is_url(item[key]), key
        for key in ("date_published", "date_modified"):
            if key in item:
                assert RFC3339.match(item[key]), f"{key} is RFC 3339: {item[key]}"
        if "tags" in item:
            assert all(isinstance(tag, str) for tag in item["tags"])
        if "authors" in item:
            check_authors(item["authors"])


@pytest.mark.parametrize(("scope", "title", "link", "description"), SCOPES, ids=SCOPE_IDS)
async def test_json_feed(
    client: Client, thursday: Thursday, scope: str, title: str, link: str, description: str
) -> None:
    response = await get_feed(client, f"/feeds/{scope}.json")
    document = response.json()
    check_json_feed(document)
    assert document["title"] == title
    assert document["home_page_url"] == link
    assert document["description"] == description
    assert document["feed_url"] == f"{BASE}/feeds/{scope}.json"
    assert "next_url" not in document
    (item,) = document["items"]
    assert item["id"] == urn(thursday.interview)
    assert item["url"] == thursday.url
    assert item["title"] == "Thursday Interview: Murad Muradov"
    assert QUESTION in item["content_html"]
    assert ANSWER in item["content_html"]
    assert item["summary"] == TEASER
    assert datetime.fromisoformat(item["date_published"]) == PUBLISHED
    assert item["authors"] == [
        {"name": "Lauri Nikulainen", "url": f"{BASE}/people/lauri-nikulainen"}
    ]
    assert item["tags"] == ["Thursday Interview", *TAGS]
    assert item["image"] == IMAGE["url"]


async def test_summary_falls_back_to_the_first_answer(
    client: Client, editor: dict[str, str]
) -> None:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    await publish(client, editor, await make_interview(client, editor, series, lauri, murad))
    expected = "My experience was largely positive."
    assert parsed(await get_feed(client, "/feeds/all.rss")).entries[0].summary == expected
    assert parsed(await get_feed(client, "/feeds/all.atom")).entries[0].summary == expected
    assert (await get_feed(client, "/feeds/all.json")).json()["items"][0]["summary"] == expected


@pytest.mark.parametrize("ending", FORMATS)
async def test_without_a_hub_there_is_no_hub_link(
    client: Client, thursday: Thursday, ending: str
) -> None:
    response = await get_feed(client, f"/feeds/all.{ending}")
    assert "link" not in response.headers
    assert "hub" not in feed_links(response, ending)
    if ending == "json":
        assert "hubs" not in response.json()


@pytest.mark.parametrize("ending", FORMATS)
async def test_an_empty_feed_is_valid(client: Client, editor: dict[str, str], ending: str) -> None:
    await make_series(client, editor)
    for path in (f"/feeds/all.{ending}", f"/feeds/series/thursday-interview.{ending}"):
        response = await get_feed(client, path)
        assert item_ids(response, ending) == []
        if ending == "json":
            check_json_feed(response.json())
        else:
            parsed(response)


# What the public sees ------------------------------------------------------------------------


@pytest.mark.parametrize("ending", FORMATS)
async def test_only_public_interviews_appear(
    client: Client, editor: dict[str, str], clock: MovableClock, ending: str
) -> None:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    names = ["Published Guest", "Draft Guest", "Scheduled Guest", "Withdrawn Guest"]
    guests = [await make_person(client, editor, name) for name in names]
    published, draft, scheduled, withdrawn = [
        await make_interview(client, editor, series, lauri, guest) for guest in guests
    ]
    await publish(client, editor, published)
    await schedule(client, editor, scheduled, "2026-11-26T10:00:00Z")
    await publish(client, editor, withdrawn)
    response = await client.post(f"/admin/v1/interviews/{withdrawn['id']}/withdraw", headers=editor)
    assert response.status_code == 200, response.text
    assert draft["status"] == "draft"

    paths = [
        f"/feeds/all.{ending}",
        f"/feeds/series/thursday-interview.{ending}",
        f"/feeds/people/lauri-nikulainen.{ending}",
    ]
    for path in paths:
        assert item_ids(await get_feed(client, path), ending) == [urn(published)], path
    for slug in ("draft-guest", "scheduled-guest", "withdrawn-guest"):
        response = await client.get(f"/feeds/people/{slug}.{ending}")
        assert response.status_code == 404, slug

    clock.advance(minutes=59)
    assert item_ids(await get_feed(client, paths[0]), ending) == [urn(published)]

    clock.advance(minutes=2)  # 10:01, past the scheduled time; nothing ran meanwhile
    for path in [*paths, f"/feeds/people/scheduled-guest.{ending}"]:
        ids = item_ids(await get_feed(client, path), ending)
        expected = [urn(scheduled), urn(published)]
        assert ids == (expected if "scheduled-guest" not in path else [urn(scheduled)]), path
    response = await get_feed(client, f"/feeds/all.{ending}")
    if ending == "json":
        item = response.json()["items"][0]
        assert datetime.fromisoformat(item["date_published"]) == datetime(
            2026, 11, 26, 10, 0, tzinfo=UTC
        )
    else:
        entry = parsed(response).entries[0]
        assert tuple(entry.published_parsed)[:6] == (2026, 11, 26, 10, 0, 0)


@pytest.mark.parametrize("ending", FORMATS)
async def test_series_feed_has_only_its_series(
    client: Client, editor: dict[str, str], ending: str
) -> None:
    thursday = await make_series(client, editor)
    friday = await make_series(client, editor, title="Friday Talk")
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    on_thursday = await publish(
        client, editor, await make_interview(client, editor, thursday, lauri, murad)
    )
    on_friday = await publish(
        client, editor, await make_interview(client, editor, friday, lauri, murad)
    )
    thursday_feed = await get_feed(client, f"/feeds/series/thursday-interview.{ending}")
    assert item_ids(thursday_feed, ending) == [urn(on_thursday)]
    friday_feed = await get_feed(client, f"/feeds/series/friday-talk.{ending}")
    assert item_ids(friday_feed, ending) == [urn(on_friday)]
    everything = await get_feed(client, f"/feeds/all.{ending}")
    assert sorted(item_ids(everything, ending)) == sorted([urn(on_thursday), urn(on_friday)])


@pytest.mark.parametrize("ending", FORMATS)
async def test_person_feed_has_only_their_interviews(
    client: Client, editor: dict[str, str], ending: str
) -> None:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    olga = await make_person(client, editor, "Olga Petrova")
    murad = await make_person(client, editor, "Murad Muradov")
    anna = await make_person(client, editor, "Anna Kask")

    async def interview(interviewer: Json, interviewee: Json) -> str:
        made = await make_interview(client, editor, series, interviewer, interviewee)
        return urn(await publish(client, editor, made))

    lauri_murad = await interview(lauri, murad)
    lauri_anna = await interview(lauri, anna)
    olga_murad = await interview(olga, murad)
    expected = {
        "lauri-nikulainen": {lauri_murad, lauri_anna},
        "olga-petrova": {olga_murad},
        "murad-muradov": {lauri_murad, olga_murad},
        "anna-kask": {lauri_anna},
    }
    for slug, ids in expected.items():
        response = await get_feed(client, f"/feeds/people/{slug}.{ending}")
        found = item_ids(response, ending)
        assert len(found) == len(ids) and set(found) == ids, slug


@pytest.mark.parametrize("ending", FORMATS)
async def test_unknown_series_or_person_is_404(
    client: Client, thursday: Thursday, ending: str
) -> None:
    for path in (
        f"/feeds/series/no-such-series.{ending}",
        f"/feeds/people/no-such-person.{ending}",
        f"/feeds/everything.{ending}",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/all.xml",
        "/feeds/all",
        "/feeds/all.",
        "/feeds/.rss",
        "/feeds/all.rss.xml",
        "/feeds/all.html",
        "/feeds/series/thursday-interview.xml",
        "/feeds/series/thursday-interview",
        "/feeds/people/murad-muradov.txt",
        "/feeds/people/murad-muradov",
    ],
)
async def test_unsupported_format_is_404(client: Client, thursday: Thursday, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("ending", FORMATS)
async def test_person_only_in_drafts_is_404(
    client: Client, editor: dict[str, str], ending: str
) -> None:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    await make_person(client, editor, "Nobody Yet")
    await make_interview(client, editor, series, lauri, murad)
    for slug in ("lauri-nikulainen", "murad-muradov", "nobody-yet"):
        response = await client.get(f"/feeds/people/{slug}.{ending}")
        assert response.status_code == 404, slug


# Paging (RFC 5005) ---------------------------------------------------------------------------


async def make_many(
    client: Client,
    editor: dict[str, str],
    clock: MovableClock,
    count: int,
    apart: timedelta = timedelta(minutes=1),
) -> list[str]:
    """`count` public interviews published `apart` from each other; their ids newest first,
    as feeds order them (by publication time, then id)."""
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    ids = []
    for number in range(count):
        guest = await make_person(client, editor, f"Guest {number:02}")
        interview = await make_interview(client, editor, series, lauri, guest)
        published = await publish(client, editor, interview)
        ids.append((datetime.fromisoformat(published["published_at"]), published["id"]))
        clock.advance(seconds=apart.total_seconds())
    return [f"urn:uuid:{id_}" for _, id_ in sorted(ids, reverse=True)]


@pytest.mark.parametrize("scope", ["all", "series/thursday-interview", "people/lauri-nikulainen"])
@pytest.mark.parametrize("ending", FORMATS)
async def test_paging(
    client: Client, editor: dict[str, str], clock: MovableClock, ending: str, scope: str
) -> None:
    newest_first = await make_many(client, editor, clock, 25)
    first_url = f"{BASE}/feeds/{scope}.{ending}"

    first = await get_feed(client, f"/feeds/{scope}.{ending}")
    first_links = feed_links(first, ending)
    first_ids = item_ids(first, ending)
    assert first_ids == newest_first[:20]
    assert first_links["self"] == first_url
    assert "previous" not in first_links
    next_url = first_links["next"]
    assert next_url.startswith(f"{first_url}?cursor=")

    second = await get_feed(client, next_url)
    second_links = feed_links(second, ending)
    second_ids = item_ids(second, ending)
    assert len(second_ids) == 5
    assert "next" not in second_links
    assert second_links["self"] == next_url
    assert first_ids + second_ids == newest_first, "no item repeats or goes missing"
    if ending == "json":
        assert "next_url" not in second.json()
        check_json_feed(second.json())
    else:
        parsed(first)
        parsed(second)
        assert second_links["first"] == first_url
        previous = await get_feed(client, second_links["previous"])
        assert item_ids(previous, ending) == first_ids
        assert feed_links(previous, ending)["next"] == next_url


@pytest.mark.parametrize(
    "apart",
    [timedelta(0), timedelta(microseconds=1)],
    ids=["same-instant", "a-microsecond-apart"],
)
@pytest.mark.parametrize("ending", FORMATS)
async def test_paging_keeps_every_item_when_times_are_close(
    client: Client, editor: dict[str, str], clock: MovableClock, ending: str, apart: timedelta
) -> None:
    newest_first = await make_many(client, editor, clock, 25, apart)
    first = await get_feed(client, f"/feeds/all.{ending}")
    second = await get_feed(client, feed_links(first, ending)["next"])
    assert item_ids(first, ending) + item_ids(second, ending) == newest_first


@pytest.mark.parametrize("ending", ["rss", "atom"])
async def test_paging_forwards_and_backwards_through_three_pages(
    client: Client, editor: dict[str, str], clock: MovableClock, ending: str
) -> None:
    newest_first = await make_many(client, editor, clock, 45)
    pages = [await get_feed(client, f"/feeds/all.{ending}")]
    while "next" in feed_links(pages[-1], ending):
        pages.append(await get_feed(client, feed_links(pages[-1], ending)["next"]))
    assert [len(item_ids(page, ending)) for page in pages] == [20, 20, 5]
    assert [i for page in pages for i in item_ids(page, ending)] == newest_first
    # Back again by the previous links, to the newest page, which has none (RFC 5005).
    backwards = [pages[-1]]
    while "previous" in feed_links(backwards[-1], ending) and len(backwards) <= len(pages):
        backwards.append(await get_feed(client, feed_links(backwards[-1], ending)["previous"]))
    assert [item_ids(page, ending) for page in backwards] == [
        item_ids(page, ending) for page in pages[::-1]
    ], "each page once, newest last"
    assert "previous" not in feed_links(backwards[-1], ending)
    for page in pages[1:]:
        assert feed_links(page, ending)["first"] == f"{BASE}/feeds/all.{ending}"
        parsed(page)


async def test_exactly_one_page_has_no_next_link(
    client: Client, editor: dict[str, str], clock: MovableClock
) -> None:
    await make_many(client, editor, clock, 20)
    for ending in FORMATS:
        response = await get_feed(client, f"/feeds/all.{ending}")
        assert len(item_ids(response, ending)) == 20
        assert "next" not in feed_links(response, ending)


def cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


UUID = "3f1f3b0c-4a59-4b8e-9d55-0c8a3e7f1b2a"
GARBAGE_CURSORS = [
    pytest.param("garbage", id="word"),
    pytest.param("%%%", id="not-base64"),
    pytest.param("é", id="non-ascii"),
    pytest.param("a", id="truncated"),
    pytest.param(cursor({"a": 1}), id="object"),
    pytest.param(cursor(None, None, None), id="nulls"),
    pytest.param(cursor("2026-11-26T09:00:00Z", "not-a-uuid", False), id="bad-uuid"),
    pytest.param(cursor("2026-11-26T09:00:00Z", UUID), id="content-api-cursor"),
    pytest.param(cursor("2026-11-26T09:00:00Z", UUID, "yes"), id="bad-bool"),
    # Well-formed, but the time in UTC lies outside what a timestamp can hold.
    pytest.param(cursor("0001-01-01T00:00:00+01:00", UUID, False), id="before-year-1"),
    pytest.param(cursor("9999-12-31T23:59:59-01:00", UUID, True), id="after-year-9999"),
]


@pytest.mark.parametrize("garbage", GARBAGE_CURSORS)
@pytest.mark.parametrize("ending", FORMATS)
async def test_garbage_cursor_is_400(
    client: Client, thursday: Thursday, ending: str, garbage: str
) -> None:
    for scope in ("all", "series/thursday-interview", "people/murad-muradov"):
        response = await client.get(f"/feeds/{scope}.{ending}", params={"cursor": garbage})
        assert response.status_code == 400, (scope, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
