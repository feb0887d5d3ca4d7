"""What is in the trash is nowhere public, even where a cached answer had it."""

from tests.content import CONTENT, thursday_interview
from tests.factories import Client, Headers, make_series
from tests.helpers import problem, withdraw
from tests.trash import trashed

CALENDAR = "/admin/v1/calendar.ics"


async def public_series(client: Client) -> list[str]:
    response = await client.get(f"{CONTENT}/series")
    assert response.status_code == 200, response.text
    return [series["slug"] for series in response.json()["items"]]


async def test_a_trashed_series_leaks_nowhere(client: Client, editor: Headers) -> None:
    series = await make_series(client, editor, title="Project X", slug="project-x")
    page, feed = f"{CONTENT}/series/project-x", "/feeds/series/project-x.json"
    for _ in range(2):  # the second answer comes from the cache
        assert await public_series(client) == ["project-x"]
        assert (await client.get(page)).status_code == 200
        assert (await client.get(feed)).status_code == 200
    assert "Project X" in (await client.get(CALENDAR, headers=editor)).text

    await trashed(client, editor, "series", series)

    assert await public_series(client) == []
    problem(await client.get(page), 404)
    problem(await client.get(feed), 404)
    assert "Project X" not in (await client.get(CALENDAR, headers=editor)).text
    problem(await client.get(CALENDAR, params={"series": "project-x"}, headers=editor), 404)

    # Its slug is free, and what takes it is what the public gets.
    await make_series(client, editor, title="Project Y", slug="project-x")
    assert (await client.get(page)).json()["title"] == "Project Y"


async def test_a_withdrawn_interview_in_the_trash_is_not_found_rather_than_gone(
    client: Client, editor: Headers
) -> None:
    interview = await thursday_interview(client, editor)
    slug = interview["slug"]
    page = f"{CONTENT}/interviews/{slug}"
    assert (await client.get(page)).status_code == 200
    await withdraw(client, editor, interview)
    problem(await client.get(page), 410)

    await trashed(client, editor, "interviews", interview)

    for path in (page, f"{page}/card", f"{page}/related"):
        problem(await client.get(path), 404)
    listed = (await client.get(f"{CONTENT}/interviews")).json()["items"]
    assert listed == []
    assert (await client.get("/feeds/all.json")).json()["items"] == []
