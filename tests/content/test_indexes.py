"""Indexes of the public site: the people who appear in public interviews, and the tags."""

from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import MovableClock
from tests.content import BASE, CONTENT, Headers, World, get_json
from tests.factories import Client, Json
from tests.helpers import problem, schedule
from tests.trash import trashed

PEACE = "peace process"
ELECTIONS = "Élections"


async def index_world(client: Client, editor: Headers, clock: MovableClock) -> None:
    """Public interviews with tags, and beside them a draft, an interview in a hidden series
    and one in the trash, whose people and tags must not show."""
    world = World(client, editor)
    await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia", PEACE]
    )
    await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=[PEACE, ELECTIONS]
    )
    await world.published("Weekend Talk", "Anna Host", "Lauri Nikulainen", tags=[PEACE])
    await world.draft(
        "Thursday Interview", "Lauri Nikulainen", "Draft Guest", tags=["Armenia", "drafted"]
    )
    await world.series("Secret Series", visibility="hidden")
    await world.published("Secret Series", "Hidden Host", "Hidden Guest", tags=["hidden"])
    # Scheduled, then trashed before its time came: its time has come now, and it stays gone.
    gone = await world.draft(
        "Thursday Interview", "Trashed Host", "Trashed Guest", tags=["trashed", "Armenia"]
    )
    await schedule(client, editor, gone, "2026-11-26T09:30:00Z")
    await trashed(client, editor, "interviews", gone)
    clock.advance(hours=1)


async def visit(client: Client, path: str, limit: int, **params: Any) -> list[Json]:
    """Every item of a cursor-paged list, page by page."""
    visited: list[Json] = []
    cursor = None
    for _ in range(20):
        page = await get_json(
            client, path, limit=limit, **params, **({"cursor": cursor} if cursor else {})
        )
        assert 0 < len(page["items"]) <= limit
        visited += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return visited
    raise AssertionError("the pages never end")


# People -------------------------------------------------------------------------------------


def counted(items: list[Json]) -> list[tuple[str, int, int]]:
    return [
        (item["slug"], item["counts"]["interviewer"], item["counts"]["interviewee"])
        for item in items
    ]


async def test_people_with_their_public_interviews_counted_per_role(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    await index_world(client, editor, clock)
    page = await get_json(client, f"{CONTENT}/people")
    assert counted(page["items"]) == [
        ("anna-host", 1, 0),
        ("lauri-nikulainen", 2, 1),
        ("murad-muradov", 0, 2),
    ]
    assert page["next_cursor"] is None
    lauri = page["items"][1]
    assert lauri["name"] == "Lauri Nikulainen"
    assert lauri["url"] == f"{BASE}/people/lauri-nikulainen"
    assert lauri["feeds"] == {
        ending: f"{BASE}/feeds/people/lauri-nikulainen.{ending}"
        for ending in ("rss", "atom", "json")
    }


async def test_people_by_role(client: Client, editor: Headers, clock: MovableClock) -> None:
    await index_world(client, editor, clock)
    interviewers = await get_json(client, f"{CONTENT}/people", role="interviewer")
    assert counted(interviewers["items"]) == [("anna-host", 1, 0), ("lauri-nikulainen", 2, 1)]
    interviewees = await get_json(client, f"{CONTENT}/people", role="interviewee")
    assert counted(interviewees["items"]) == [("lauri-nikulainen", 2, 1), ("murad-muradov", 0, 2)]
    problem(await client.get(f"{CONTENT}/people", params={"role": "host"}), 400)


@pytest.mark.parametrize("limit", [1, 2])
@pytest.mark.parametrize("role", [None, "interviewer", "interviewee"])
async def test_people_pages_visit_each_person_once(
    client: Client, editor: Headers, clock: MovableClock, limit: int, role: str | None
) -> None:
    await index_world(client, editor, clock)
    params = {"role": role} if role else {}
    everyone = (await get_json(client, f"{CONTENT}/people", limit=50, **params))["items"]
    assert len(everyone) >= 2
    assert await visit(client, f"{CONTENT}/people", limit, **params) == everyone


async def test_people_list_is_empty_without_public_interviews(
    client: Client, editor: Headers
) -> None:
    await World(client, editor).draft("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    assert await get_json(client, f"{CONTENT}/people") == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "51"}, {"cursor": "garbage"}, {"order": "name"}],
    ids=["limit-0", "limit-51", "bad-cursor", "unknown-parameter"],
)
async def test_people_list_refuses_bad_parameters(
    client: Client, editor: Headers, clock: MovableClock, params: dict[str, str]
) -> None:
    await index_world(client, editor, clock)
    problem(await client.get(f"{CONTENT}/people", params=params), 400)


# Tags ---------------------------------------------------------------------------------------


def tag_path(tag: str) -> str:
    return f"{CONTENT}/tags/{quote(tag, safe='')}"


async def test_tags_of_public_interviews_the_most_used_first(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    await index_world(client, editor, clock)
    page = await get_json(client, f"{CONTENT}/tags")
    assert [(item["tag"], item["count"]) for item in page["items"]] == [
        (PEACE, 3),
        ("Armenia", 1),
        (ELECTIONS, 1),
    ]
    assert page["next_cursor"] is None
    peace = page["items"][0]
    assert peace["url"] == f"{BASE}/tags/peace%20process"
    assert peace["feeds"] == {
        ending: f"{BASE}/feeds/tags/peace%20process.{ending}" for ending in ("rss", "atom", "json")
    }
    assert page["items"][2]["feeds"]["rss"] == f"{BASE}/feeds/tags/%C3%89lections.rss"


@pytest.mark.parametrize("limit", [1, 2])
async def test_tag_pages_visit_each_tag_once(
    client: Client, editor: Headers, clock: MovableClock, limit: int
) -> None:
    await index_world(client, editor, clock)
    everything = (await get_json(client, f"{CONTENT}/tags"))["items"]
    assert await visit(client, f"{CONTENT}/tags", limit) == everything


@pytest.mark.parametrize("tag", [PEACE, ELECTIONS, "Armenia"])
async def test_a_tag_with_its_public_interviews(
    client: Client, editor: Headers, clock: MovableClock, tag: str
) -> None:
    await index_world(client, editor, clock)
    tagged = await get_json(client, f"{CONTENT}/interviews", tag=tag, limit=50)
    page = await get_json(client, tag_path(tag))
    assert page["tag"] == tag
    assert page["count"] == len(tagged["items"]) > 0
    assert page["interviews"] == tagged["items"]
    assert page["next_cursor"] is None
    assert page["url"] == f"{BASE}/tags/{quote(tag, safe='')}"
    assert page["feeds"] == {
        ending: f"{BASE}/feeds/tags/{quote(tag, safe='')}.{ending}"
        for ending in ("rss", "atom", "json")
    }


async def test_a_tags_interviews_come_in_pages(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    await index_world(client, editor, clock)
    newest_first = (await get_json(client, tag_path(PEACE)))["interviews"]
    assert len(newest_first) == 3
    visited: list[Json] = []
    cursor = None
    for _ in range(5):
        page = await get_json(
            client, tag_path(PEACE), limit=1, **({"cursor": cursor} if cursor else {})
        )
        assert page["count"] == 3
        visited += page["interviews"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert visited == newest_first


@pytest.mark.parametrize(
    "tag", ["drafted", "hidden", "trashed", "no such tag", "armenia", "Elections", "peace"]
)
async def test_a_tag_without_public_interviews_is_404(
    client: Client, editor: Headers, clock: MovableClock, tag: str
) -> None:
    await index_world(client, editor, clock)
    problem(await client.get(tag_path(tag)), 404)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (f"{CONTENT}/tags", {"limit": "0"}),
        (f"{CONTENT}/tags", {"limit": "51"}),
        (f"{CONTENT}/tags", {"cursor": "garbage"}),
        (f"{CONTENT}/tags", {"sort": "name"}),
        (tag_path(PEACE), {"limit": "51"}),
        (tag_path(PEACE), {"cursor": "garbage"}),
        (tag_path(PEACE), {"series": "thursday-interview"}),
    ],
)
async def test_tag_lists_refuse_bad_parameters(
    client: Client, editor: Headers, clock: MovableClock, path: str, params: dict[str, str]
) -> None:
    await index_world(client, editor, clock)
    problem(await client.get(path, params=params), 400)
