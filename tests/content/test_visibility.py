"""One visibility rule everywhere: drafts never, scheduled from their time on, withdrawn gone."""

from tests.conftest import MovableClock
from tests.content import (
    CONTENT,
    Headers,
    World,
    get_json,
    listed,
    slugs,
)
from tests.factories import Client, Json
from tests.helpers import problem, schedule, withdraw


async def everywhere(client: Client, world: World) -> dict[str, list[str]]:
    """Which interviews each public listing shows, by slug."""
    frontpage = await get_json(client, f"{CONTENT}/frontpage")
    seen = {
        f"frontpage:{section['name']}": slugs(section["items"]) for section in frontpage["sections"]
    }
    seen["interviews"] = await listed(client)
    for title, series in world.series_by_title.items():
        page = await get_json(client, f"{CONTENT}/series/{series['slug']}")
        seen[f"series:{title}"] = slugs(page["interviews"])
        seen[f"interviews?series={title}"] = await listed(client, series=series["slug"])
    for name, person in world.people_by_name.items():
        response = await client.get(f"{CONTENT}/people/{person['slug']}")
        if response.status_code == 200:
            seen[f"people:{name}"] = slugs(response.json()["interviews"])
        else:
            problem(response, 404)
        seen[f"interviews?person={name}"] = await listed(client, person=person["slug"])
    return seen


def showing(seen: dict[str, list[str]], slug: str) -> list[str]:
    return [where for where, found in seen.items() if slug in found]


async def assert_hidden(client: Client, slug: str, status: int = 404) -> None:
    for suffix in ("", "/card", "/related"):
        problem(await client.get(f"{CONTENT}/interviews/{slug}{suffix}"), status)


async def test_drafts_never_appear(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    public = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia"]
    )
    # Same series, same interviewer, same tag: related in every way, but a draft.
    draft = await world.draft(
        "Thursday Interview", "Lauri Nikulainen", "Draft Only", tags=["Armenia", "secret"]
    )
    seen = await everywhere(client, world)
    assert showing(seen, draft["slug"]) == []
    assert seen["interviews"] == [public["slug"]]
    assert seen["series:Thursday Interview"] == [public["slug"]]
    assert seen["people:Lauri Nikulainen"] == [public["slug"]]
    assert seen["frontpage:latest"] == [public["slug"]]
    assert seen["frontpage:series/thursday-interview"] == [public["slug"]]
    assert await listed(client, tag="secret") == []
    assert await listed(client, tag="Armenia") == [public["slug"]]

    await assert_hidden(client, draft["slug"])
    # Someone who takes part only in drafts has no public page.
    problem(await client.get(f"{CONTENT}/people/draft-only"), 404)
    assert "people:Draft Only" not in seen
    assert seen["interviews?person=Draft Only"] == []

    related = await get_json(client, f"{CONTENT}/interviews/{public['slug']}/related")
    assert related["items"] == []
    page = await get_json(client, f"{CONTENT}/interviews/{public['slug']}")
    assert page["related"] == []


async def test_scheduled_interview_is_public_from_its_time_without_a_step(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    earlier = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    later = await world.draft("Thursday Interview", "Lauri Nikulainen", "Tigran Grigoryan")
    await schedule(client, editor, later, "2026-11-26T12:00:00+01:00")  # 11:00 UTC

    for step in (0, 7199):  # before its time: at 09:00 and at 10:59:59
        clock.advance(seconds=step)
        seen = await everywhere(client, world)
        assert showing(seen, later["slug"]) == []
        assert seen["interviews"] == [earlier["slug"]]
        await assert_hidden(client, later["slug"])
        problem(await client.get(f"{CONTENT}/people/tigran-grigoryan"), 404)
        related = await get_json(client, f"{CONTENT}/interviews/{earlier['slug']}/related")
        assert related["items"] == []

    clock.advance(seconds=1)  # exactly publish_at: nothing else runs
    seen = await everywhere(client, world)
    assert sorted(showing(seen, later["slug"])) == sorted(
        [
            "frontpage:latest",
            "frontpage:series/thursday-interview",
            "interviews",
            "series:Thursday Interview",
            "interviews?series=Thursday Interview",
            "people:Lauri Nikulainen",
            "interviews?person=Lauri Nikulainen",
            "people:Tigran Grigoryan",
            "interviews?person=Tigran Grigoryan",
        ]
    )
    assert seen["interviews"] == [later["slug"], earlier["slug"]]
    page = await get_json(client, f"{CONTENT}/interviews/{later['slug']}")
    assert page["published_at"] == "2026-11-26T11:00:00Z"
    card = await get_json(client, f"{CONTENT}/interviews/{later['slug']}/card")
    assert card["published_at"] == "2026-11-26T11:00:00Z"
    person = await get_json(client, f"{CONTENT}/people/tigran-grigoryan")
    assert slugs(person["interviews"]) == [later["slug"]]
    related = await get_json(client, f"{CONTENT}/interviews/{earlier['slug']}/related")
    assert slugs(related["items"]) == [later["slug"]]


async def test_unscheduled_interview_stays_hidden_after_its_old_time(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    interview = await world.draft("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    await schedule(client, editor, interview, "2026-11-26T10:00:00Z")
    response = await client.post(
        f"/admin/v1/interviews/{interview['id']}/unschedule", headers=editor
    )
    assert response.status_code == 200, response.text
    clock.advance(hours=2)
    seen = await everywhere(client, world)
    assert showing(seen, interview["slug"]) == []
    await assert_hidden(client, interview["slug"])
    problem(await client.get(f"{CONTENT}/people/murad-muradov"), 404)


async def test_withdrawn_interview_is_gone(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = World(client, editor)
    kept = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    clock.advance(hours=1)
    gone: Json = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Withdrawn Only", tags=["Armenia"]
    )
    # Seen (and perhaps cached) while public ...
    seen = await everywhere(client, world)
    assert seen["interviews"] == [gone["slug"], kept["slug"]]
    await get_json(client, f"{CONTENT}/interviews/{gone['slug']}")
    await get_json(client, f"{CONTENT}/interviews/{gone['slug']}/card")
    related = await get_json(client, f"{CONTENT}/interviews/{kept['slug']}/related")
    assert slugs(related["items"]) == [gone["slug"]]

    await withdraw(client, editor, gone)

    # ... and gone once withdrawn.
    for suffix in ("", "/card"):
        body = problem(await client.get(f"{CONTENT}/interviews/{gone['slug']}{suffix}"), 410)
        assert body["title"] == "Gone"
    seen = await everywhere(client, world)
    assert showing(seen, gone["slug"]) == []
    assert seen["interviews"] == [kept["slug"]]
    problem(await client.get(f"{CONTENT}/people/withdrawn-only"), 404)
    related = await get_json(client, f"{CONTENT}/interviews/{kept['slug']}/related")
    assert related["items"] == []
    assert await listed(client, tag="Armenia") == []


async def test_unknown_interview_is_404_not_410(client: Client, editor: Headers) -> None:
    for suffix in ("", "/card", "/related"):
        problem(await client.get(f"{CONTENT}/interviews/no-such-interview{suffix}"), 404)
    problem(await client.get(f"{CONTENT}/people/nobody"), 404)
