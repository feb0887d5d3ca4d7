"""Public lists: interviews newest first, filters, cursor pages, series and people pages."""

import base64
import json

import pytest

from tests.conftest import MovableClock
from tests.content import (
    BASE,
    CONTENT,
    Headers,
    World,
    get_json,
    listed,
    slugs,
)
from tests.factories import Client, Json
from tests.helpers import problem, publish, schedule, withdraw


async def archive(client: Client, editor: Headers, clock: MovableClock) -> dict[str, Json]:
    """Interviews in two series with tags, published at different times (one scheduled in
    between), three of them at the very same instant, and a draft."""
    world = World(client, editor)
    found: dict[str, Json] = {}
    found["first"] = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia"]
    )
    found["scheduled"] = await world.draft(
        "Weekend Talk", "Anna Host", "Tigran Grigoryan", tags=["Armenia", "Turkey"]
    )
    await schedule(client, editor, found["scheduled"], "2026-11-26T09:30:00Z")
    clock.advance(hours=1)  # 10:00: the scheduled one came out at 09:30, in between
    for name, interviewee in (("same1", "Zara Aliyeva"), ("same2", "Vardan Petrosyan")):
        found[name] = await world.published("Weekend Talk", "Anna Host", interviewee)
    found["same3"] = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Nino Beridze", tags=["Georgia"]
    )
    clock.advance(hours=1)
    found["last"] = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Turkey"]
    )
    found["draft"] = await world.draft(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia", "Turkey"]
    )
    return found


def same_instant_order(found: dict[str, Json]) -> list[str]:
    """Interviews published at the same instant come in descending id order."""
    same = [found[name] for name in ("same1", "same2", "same3")]
    return [i["slug"] for i in sorted(same, key=lambda i: i["id"], reverse=True)]


async def test_interviews_newest_first_by_publication_time(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    found = await archive(client, editor, clock)
    expected = [
        found["last"]["slug"],
        *same_instant_order(found),
        found["scheduled"]["slug"],
        found["first"]["slug"],
    ]
    page = await get_json(client, f"{CONTENT}/interviews")
    assert slugs(page["items"]) == expected
    assert page["next_cursor"] is None
    assert [card["published_at"] for card in page["items"]] == [
        "2026-11-26T11:00:00Z",
        "2026-11-26T10:00:00Z",
        "2026-11-26T10:00:00Z",
        "2026-11-26T10:00:00Z",
        "2026-11-26T09:30:00Z",
        "2026-11-26T09:00:00Z",
    ]


async def test_interview_filters(client: Client, editor: Headers, clock: MovableClock) -> None:
    found = await archive(client, editor, clock)
    thursday = [
        found["last"]["slug"],
        *[s for s in same_instant_order(found) if s.startswith("thursday")],
        found["first"]["slug"],
    ]
    assert await listed(client, series="thursday-interview") == thursday
    assert await listed(client, series="weekend-talk") == [
        *[s for s in same_instant_order(found) if s.startswith("weekend")],
        found["scheduled"]["slug"],
    ]
    assert await listed(client, person="murad-muradov") == [
        found["last"]["slug"],
        found["first"]["slug"],
    ]
    assert await listed(client, person="tigran-grigoryan") == [found["scheduled"]["slug"]]
    assert await listed(client, tag="Armenia") == [
        found["scheduled"]["slug"],
        found["first"]["slug"],
    ]
    assert await listed(client, tag="Turkey") == [
        found["last"]["slug"],
        found["scheduled"]["slug"],
    ]
    assert await listed(client, series="thursday-interview", tag="Georgia") == [
        found["same3"]["slug"]
    ]
    assert await listed(client, series="weekend-talk", person="murad-muradov") == []
    assert await listed(client, series="no-such-series") == []
    assert await listed(client, person="nobody") == []


@pytest.mark.parametrize("where", ["interviews", "series", "people"])
async def test_cursor_pages_visit_every_public_interview_once(
    client: Client, editor: Headers, clock: MovableClock, where: str
) -> None:
    found = await archive(client, editor, clock)
    path, key = {
        "interviews": (f"{CONTENT}/interviews", "items"),
        "series": (f"{CONTENT}/series/thursday-interview", "interviews"),
        "people": (f"{CONTENT}/people/lauri-nikulainen", "interviews"),
    }[where]
    everything = await get_json(client, path, limit=50)
    expected = slugs(everything[key])
    assert len(expected) == {"interviews": 6, "series": 3, "people": 3}[where]
    assert found["draft"]["slug"] not in expected

    for limit in (1, 2, 4):
        visited: list[str] = []
        cursor = None
        for _ in range(20):
            params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            page = await get_json(client, path, **params)
            assert 0 < len(page[key]) <= limit
            visited += slugs(page[key])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert visited == expected, limit


async def test_cursor_is_stable_when_newer_interviews_appear(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    found = await archive(client, editor, clock)
    first = await get_json(client, f"{CONTENT}/interviews", limit=2)
    clock.advance(hours=1)
    newest = await publish(client, editor, found["draft"])
    second = await get_json(client, f"{CONTENT}/interviews", limit=2, cursor=first["next_cursor"])
    everything = await listed(client)
    assert everything[0] == newest["slug"]
    assert slugs(second["items"]) == everything[3:5]


def encoded(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "garbage",
    "!!!!",
    "a",
    "é",
    encoded({"not": "a list"}),
    encoded(["2026-11-26T09:00:00Z"]),
    encoded(["not a time", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"]),
    encoded(["2026-11-26T09:00:00Z", "not-a-uuid"]),
    encoded([1, 2]),
    # Well-formed, but times that PostgreSQL cannot hold once in UTC.
    encoded(["0001-01-01T00:00:00+14:00", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"]),
    encoded(["9999-12-31T23:59:59-14:00", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"]),
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
@pytest.mark.parametrize(
    "path",
    [
        f"{CONTENT}/interviews",
        f"{CONTENT}/series/thursday-interview",
        f"{CONTENT}/people/murad-muradov",
    ],
)
async def test_bad_cursor_is_400(client: Client, editor: Headers, path: str, cursor: str) -> None:
    await World(client, editor).published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    body = problem(await client.get(path, params={"cursor": cursor}), 400)
    assert body["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("limit", ["0", "51", "-1", "many"])
@pytest.mark.parametrize(
    "path",
    [
        f"{CONTENT}/interviews",
        f"{CONTENT}/series/thursday-interview",
        f"{CONTENT}/people/murad-muradov",
    ],
)
async def test_limit_out_of_range_is_400(
    client: Client, editor: Headers, path: str, limit: str
) -> None:
    await World(client, editor).published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    body = problem(await client.get(path, params={"limit": limit}), 400)
    assert body["errors"][0]["field"] == "limit"
    assert (await client.get(path, params={"limit": "50"})).status_code == 200
    assert (await client.get(path, params={"limit": "1"})).status_code == 200


async def test_series_page(client: Client, editor: Headers, clock: MovableClock) -> None:
    found = await archive(client, editor, clock)
    page = await get_json(client, f"{CONTENT}/series/weekend-talk")
    assert page["slug"] == "weekend-talk"
    assert page["title"] == "Weekend Talk"
    assert page["status"] == "active"
    assert page["url"] == f"{BASE}/series/weekend-talk"
    assert page["feeds"] == {
        "rss": f"{BASE}/feeds/series/weekend-talk.rss",
        "atom": f"{BASE}/feeds/series/weekend-talk.atom",
        "json": f"{BASE}/feeds/series/weekend-talk.json",
    }
    assert slugs(page["interviews"]) == [
        *[s for s in same_instant_order(found) if s.startswith("weekend")],
        found["scheduled"]["slug"],
    ]
    assert page["next_cursor"] is None
    problem(await client.get(f"{CONTENT}/series/no-such-series"), 404)


async def test_person_page(client: Client, editor: Headers, clock: MovableClock) -> None:
    found = await archive(client, editor, clock)
    await withdraw(client, editor, found["last"])
    page = await get_json(client, f"{CONTENT}/people/murad-muradov")
    assert page["slug"] == "murad-muradov"
    assert page["name"] == "Murad Muradov"
    assert page["url"] == f"{BASE}/people/murad-muradov"
    assert page["feeds"]["rss"] == f"{BASE}/feeds/people/murad-muradov.rss"
    assert slugs(page["interviews"]) == [found["first"]["slug"]]


async def test_series_list_shows_series_that_have_not_ended(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    await world.series("Weekend Talk")
    await world.series("Thursday Interview")
    await world.series("Autumn Special", status="paused")
    await world.series("Archive Hour", status="ended")
    listing = await get_json(client, f"{CONTENT}/series")
    assert listing["items"] == [
        {"slug": s, "title": t, "url": f"{BASE}/series/{s}"}
        for s, t in (
            ("autumn-special", "Autumn Special"),
            ("thursday-interview", "Thursday Interview"),
            ("weekend-talk", "Weekend Talk"),
        )
    ]
    # An ended series keeps its archive page.
    ended = await get_json(client, f"{CONTENT}/series/archive-hour")
    assert ended["status"] == "ended"
    assert ended["interviews"] == []


@pytest.mark.parametrize(
    "path",
    [
        f"{CONTENT}/interviews/a%00b",
        f"{CONTENT}/interviews/a%00b/card",
        f"{CONTENT}/interviews/a%00b/related",
        f"{CONTENT}/series/a%00b",
        f"{CONTENT}/people/a%00b",
        f"{CONTENT}/interviews?series=a%00b",
        f"{CONTENT}/interviews?person=a%00b",
        f"{CONTENT}/interviews?tag=a%00b",
    ],
)
async def test_nul_in_a_slug_or_filter_is_a_400(client: Client, editor: Headers, path: str) -> None:
    """No slug, name or tag holds a NUL, and PostgreSQL cannot search for one."""
    await World(client, editor).published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    problem(await client.get(path), 400)
