"""The front page: its sections, the editors' choice list behind one of them, and the seed."""

from typing import Any

import asyncpg
import pytest

from app.demo import TEASER, load_demo
from tests.conftest import MovableClock
from tests.content import (
    BASE,
    CONTENT,
    Headers,
    World,
    get_json,
    set_teaser,
    slugs,
    thursday_interview,
)
from tests.factories import Client, Json
from tests.helpers import problem, publish, schedule, withdraw

FRONTPAGE = f"{CONTENT}/frontpage"
CHOICE = "/admin/v1/editors-choice"
SEED = "thursday-interview-murad-muradov"
FEATURED = {"text": "My negative expectations luckily didn’t play out.", "speaker": "Murad Muradov"}
# The seed's teaser with more of the interview quoted: about 1,400 characters.
LONG_TEASER = (
    f"{TEASER} Asked what comes next, he said the panel in Yerevan had shown that experts "
    "from Armenia, Azerbaijan and Turkey can sit at one table and disagree without walking "
    "away, and that the media, for all the differences in tone, gave the meeting a fair "
    "hearing. He hopes that students and younger researchers from all three countries will "
    "be the next to travel, that universities will open their doors to one another, and "
    "that the peace process will be carried by people as much as by governments. The "
    "THURSDAY INTERVIEW will return next week with another voice from the South Caucasus, "
    "and every week after that with thinkers, opinion shapers and implementors who shape "
    "the debate in their countries."
)


async def sections(client: Client, **params: Any) -> dict[str, list[str]]:
    """Section name -> slugs of its cards, in the order the front page gives them."""
    page = await get_json(client, FRONTPAGE, **params)
    return {section["name"]: slugs(section["items"]) for section in page["sections"]}


async def choose(client: Client, editor: Headers, picks: list[Json]) -> list[Json]:
    response = await client.put(CHOICE, json=picks, headers=editor)
    assert response.status_code == 200, response.text
    result: list[Json] = response.json()
    return result


async def editors_choice(client: Client) -> list[str]:
    return (await sections(client, sections="editors-choice"))["editors-choice"]


async def test_default_sections_in_order(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    thursday = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    await world.series("Autumn Special", status="paused")
    await world.series("Archive Hour", status="ended")
    clock.advance(hours=1)
    paused = await world.published("Autumn Special", "Anna Host", "Zara Aliyeva")
    clock.advance(hours=1)
    ended = await world.published("Archive Hour", "Anna Host", "Tigran Grigoryan")
    clock.advance(hours=1)
    weekend = await world.published("Weekend Talk", "Anna Host", "Vardan Petrosyan")
    await world.series("Empty Series")

    page = await get_json(client, FRONTPAGE)
    assert [(s["name"], s["title"]) for s in page["sections"]] == [
        ("latest", "Latest"),
        ("editors-choice", page["sections"][1]["title"]),
        ("popular", "Popular"),
        ("series/weekend-talk", "Weekend Talk"),
        ("series/thursday-interview", "Thursday Interview"),
    ]
    assert page["sections"][1]["title"]
    found = {s["name"]: slugs(s["items"]) for s in page["sections"]}
    assert found["latest"] == [w["slug"] for w in (weekend, ended, paused, thursday)]
    assert found["editors-choice"] == []
    assert found["popular"] == []
    assert found["series/thursday-interview"] == [thursday["slug"]]
    assert found["series/weekend-talk"] == [weekend["slug"]]
    assert page["feeds"] == {
        "rss": f"{BASE}/feeds/all.rss",
        "atom": f"{BASE}/feeds/all.atom",
        "json": f"{BASE}/feeds/all.json",
    }
    card = page["sections"][0]["items"][0]
    alone = await get_json(client, f"{CONTENT}/interviews/{weekend['slug']}/card")
    assert card == {key: value for key, value in alone.items() if key != "social"}


async def test_a_series_that_pauses_loses_its_section(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    assert "series/thursday-interview" in await sections(client)
    series = world.series_by_title["Thursday Interview"]
    response = await client.patch(
        f"/admin/v1/series/{series['id']}", json={"status": "paused"}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert list(await sections(client)) == ["latest", "editors-choice", "popular"]


async def test_section_choice_and_size(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    published = []
    for name in ("A One", "B Two", "C Three", "D Four", "E Five", "F Six", "G Seven"):
        published.append(await world.published("Thursday Interview", "Lauri Nikulainen", name))
        clock.advance(minutes=10)
    newest_first = [i["slug"] for i in reversed(published)]

    assert await sections(client, sections="latest", size=2) == {"latest": newest_first[:2]}
    everything = await sections(client)
    assert everything["latest"] == newest_first[:6]  # six by default
    assert everything["series/thursday-interview"] == newest_first[:6]
    assert await sections(client, sections="latest", size=20) == {"latest": newest_first}
    assert await sections(client, sections="series", size=1) == {
        "series/thursday-interview": newest_first[:1]
    }
    response = await client.get(FRONTPAGE, params={"sections": ["popular", "latest"]})
    assert [s["name"] for s in response.json()["sections"]] == ["popular", "latest"]


async def test_series_sections_are_the_series_that_published_last(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    first = {}
    for title in ("Series A", "Series B", "Series C", "Series D", "Series E", "Series F"):
        first[title] = await world.published(title, "Anna Host", f"Guest of {title}")
        clock.advance(minutes=10)
    # An older series publishes again and comes first; one that pauses drops out.
    again = await world.published("Series B", "Anna Host", "Second Guest")
    paused = world.series_by_title["Series F"]
    response = await client.patch(
        f"/admin/v1/series/{paused['id']}", json={"status": "paused"}, headers=editor
    )
    assert response.status_code == 200, response.text
    newest_first = ["series/series-b", "series/series-e", "series/series-d", "series/series-c"]

    assert [name for name in await sections(client) if name.startswith("series/")] == newest_first
    assert list(await sections(client, sections="series", series_sections=2)) == newest_first[:2]
    every = await sections(client, sections="series", series_sections=50)
    assert list(every) == [*newest_first, "series/series-a"]
    assert every["series/series-b"] == [again["slug"], first["Series B"]["slug"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"size": "21"}, "size"),
        ({"size": "0"}, "size"),
        ({"size": "six"}, "size"),
        ({"sections": "bogus"}, "sections"),
        ({"sections": ["latest", "bogus"]}, "sections"),
        ({"sections": "series/thursday-interview"}, "sections"),
        ({"series_sections": "0"}, "series_sections"),
        ({"series_sections": "51"}, "series_sections"),
    ],
)
async def test_bad_frontpage_parameters_are_400(
    client: Client, editor: Headers, params: dict[str, Any], field: str
) -> None:
    await World(client, editor).published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    body = problem(await client.get(FRONTPAGE, params=params), 400)
    assert body["errors"][0]["field"] == field


async def test_editors_choice_in_the_editors_order(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    a = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    clock.advance(hours=1)
    b = await world.published("Thursday Interview", "Lauri Nikulainen", "Zara Aliyeva")
    clock.advance(hours=1)
    c = await world.published("Weekend Talk", "Anna Host", "Tigran Grigoryan")

    picks = [{"interview_id": i["id"]} for i in (b, c, a)]
    stored = await choose(client, editor, picks)
    assert stored == [{**pick, "starts_at": None, "ends_at": None} for pick in picks]
    response = await client.get(CHOICE, headers=editor)
    assert response.status_code == 200
    assert response.json() == stored
    assert await editors_choice(client) == [b["slug"], c["slug"], a["slug"]]
    assert (await sections(client))["editors-choice"] == [b["slug"], c["slug"], a["slug"]]

    # A new list replaces the old one.
    await choose(client, editor, [{"interview_id": a["id"]}, {"interview_id": b["id"]}])
    assert await editors_choice(client) == [a["slug"], b["slug"]]
    assert await sections(client, sections="editors-choice", size=1) == {
        "editors-choice": [a["slug"]]
    }
    await choose(client, editor, [])
    assert await editors_choice(client) == []


async def test_editors_choice_is_for_editors_and_checked(
    client: Client, editor: Headers, contributor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    a = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    await choose(client, editor, [{"interview_id": a["id"]}])

    pick = [{"interview_id": a["id"]}]
    problem(await client.put(CHOICE, json=pick, headers=contributor), 403)
    problem(await client.put(CHOICE, json=pick), 401)

    unknown = [pick[0], {"interview_id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}]
    body = problem(await client.put(CHOICE, json=unknown, headers=editor), 422)
    assert "interview_id" in body["errors"][0]["field"]

    backwards = [
        {
            "interview_id": a["id"],
            "starts_at": "2026-11-27T10:00:00Z",
            "ends_at": "2026-11-27T09:00:00Z",
        }
    ]
    body = problem(await client.put(CHOICE, json=backwards, headers=editor), 422)
    assert body["errors"][0]["field"] == "[0].ends_at"
    empty_window = [{**backwards[0], "ends_at": "2026-11-27T10:00:00Z"}]
    problem(await client.put(CHOICE, json=empty_window, headers=editor), 422)
    twice = [pick[0], pick[0]]
    body = problem(await client.put(CHOICE, json=twice, headers=editor), 422)
    assert body["errors"][0]["field"] == "[1].interview_id"
    naive = [{"interview_id": a["id"], "starts_at": "2026-11-27T10:00:00"}]
    problem(await client.put(CHOICE, json=naive, headers=editor), 400)

    # None of the refused lists changed the stored one.
    response = await client.get(CHOICE, headers=contributor)
    assert response.status_code == 200
    assert [c["interview_id"] for c in response.json()] == [a["id"]]
    assert await editors_choice(client) == [a["slug"]]


async def test_time_boxed_pick_shows_only_inside_its_window(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    boxed = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    always = await world.published("Thursday Interview", "Lauri Nikulainen", "Zara Aliyeva")
    starting = await world.published("Weekend Talk", "Anna Host", "Tigran Grigoryan")
    await choose(
        client,
        editor,
        [
            {
                "interview_id": boxed["id"],
                "starts_at": "2026-11-26T11:00:00+01:00",  # 10:00 UTC
                "ends_at": "2026-11-26T12:00:00Z",
            },
            {"interview_id": always["id"]},
            {"interview_id": starting["id"], "starts_at": "2026-11-26T11:00:00Z"},
        ],
    )
    timeline = [
        (0, [always["slug"]]),  # 09:00
        (59 * 60 + 59, [always["slug"]]),  # 09:59:59
        (1, [boxed["slug"], always["slug"]]),  # 10:00:00
        (3600, [boxed["slug"], always["slug"], starting["slug"]]),  # 11:00:00
        (3599, [boxed["slug"], always["slug"], starting["slug"]]),  # 11:59:59
        (1, [always["slug"], starting["slug"]]),  # 12:00:00
        (86_400, [always["slug"], starting["slug"]]),  # a day later
    ]
    for seconds, expected in timeline:
        clock.advance(seconds=seconds)
        assert await editors_choice(client) == expected, clock.now()
        assert (await sections(client))["editors-choice"] == expected, clock.now()


async def test_picks_show_only_while_public(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    public = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    draft = await world.draft("Thursday Interview", "Lauri Nikulainen", "Zara Aliyeva")
    scheduled = await world.draft("Weekend Talk", "Anna Host", "Tigran Grigoryan")
    await schedule(client, editor, scheduled, "2026-11-26T10:00:00Z")
    await choose(client, editor, [{"interview_id": i["id"]} for i in (draft, scheduled, public)])
    assert await editors_choice(client) == [public["slug"]]

    clock.advance(hours=1)  # the scheduled pick comes out by itself
    assert await editors_choice(client) == [scheduled["slug"], public["slug"]]
    await publish(client, editor, draft)
    assert await editors_choice(client) == [draft["slug"], scheduled["slug"], public["slug"]]
    await withdraw(client, editor, public)
    assert await editors_choice(client) == [draft["slug"], scheduled["slug"]]


async def test_seed_frontpage_from_one_response(client: Client, editor: Headers) -> None:
    """The seed's front page: its Thursday Interview card, long teaser, pull quote and all."""
    interview = await thursday_interview(client, editor, teaser=TEASER)
    await choose(client, editor, [{"interview_id": interview["id"]}])
    page = await get_json(client, FRONTPAGE)
    by_name = {section["name"]: section["items"] for section in page["sections"]}
    assert list(by_name) == [
        "latest",
        "editors-choice",
        "popular",
        "series/thursday-interview",
    ]
    for name in ("latest", "editors-choice", "series/thursday-interview"):
        assert slugs(by_name[name]) == [SEED]
    card = by_name["latest"][0]
    assert card["kicker"] == "Thursday Interview"
    assert card["headline"] == "Murad Muradov"
    assert card["title"] == "Thursday Interview: Murad Muradov"
    assert card["teaser"] == TEASER
    assert card["pull_quote"] == FEATURED
    assert card["byline"] == "Conducted by Lauri Nikulainen"
    assert card["url"] == f"{BASE}/interviews/{SEED}"
    assert card["interviewers"][0]["url"] == f"{BASE}/people/lauri-nikulainen"
    assert card["interviewees"][0]["headline"] == (
        "A leading person in Azerbaijan's think tank community"
    )
    assert card["call_to_action"]
    assert card["reading_minutes"] >= 1

    # A card teaser of about 1,400 characters is served whole.
    assert 1_300 <= len(LONG_TEASER) <= 1_600
    await set_teaser(client, editor, interview, LONG_TEASER)
    page = await get_json(client, FRONTPAGE)
    for section in page["sections"]:
        for item in section["items"]:
            assert item["teaser"] == LONG_TEASER
            assert item["pull_quote"] == FEATURED


async def test_demo_seed_renders_on_the_frontpage(
    client: Client, db: asyncpg.Connection, clock: MovableClock
) -> None:
    """The demo data as the CLI loads it."""
    await load_demo(db, clock.now())
    found = await sections(client)
    assert found["latest"] == [SEED]
    assert found["series/thursday-interview"] == [SEED]
    card = await get_json(client, f"{CONTENT}/interviews/{SEED}/card")
    assert card["teaser"] == TEASER
    assert card["pull_quote"] == FEATURED
    assert card["byline"] == "Conducted by Lauri Nikulainen"
    assert card["kicker"] == "Thursday Interview"
    assert card["headline"] == "Murad Muradov"
    page = await get_json(client, f"{CONTENT}/interviews/{SEED}")
    assert "<strong>Lauri Nikulainen:</strong> How was your visit to Yerevan?" in page["html"]
    assert page["json_ld"]["hasPart"][0]["creator"]["name"] == "Murad Muradov"
