"""Indexes of the public site: the people who appear in public interviews, and the tags."""

from typing import Any

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
