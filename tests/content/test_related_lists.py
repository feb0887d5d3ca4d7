"""Related interviews follow the changes that make them related: tags edited, people added after
publication. The per-person and per-tag lists they are found through (migration 0017) are kept by
triggers; these check that the lists move with the interviews."""

from tests.content import CONTENT, Headers, World, get_json, slugs
from tests.factories import Client, Json


async def related(client: Client, interview: Json) -> list[str]:
    found = await get_json(client, f"{CONTENT}/interviews/{interview['slug']}/related", limit=20)
    return slugs(found["items"])


async def test_related_follow_an_edit_of_tags(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    me = await world.published("Series A", "Anna Host", "Murad Muradov", tags=["Armenia"])
    other = await world.published("Series B", "Other Host", "Zara Aliyeva", tags=["Georgia"])
    assert await related(client, me) == []

    response = await client.patch(
        f"/admin/v1/interviews/{other['id']}", json={"tags": ["Georgia", "Armenia"]}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert await related(client, me) == [other["slug"]]

    response = await client.patch(
        f"/admin/v1/interviews/{other['id']}", json={"tags": ["Georgia"]}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert await related(client, me) == []


async def test_related_follow_a_person_added_after_publication(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    me = await world.published("Series A", "Anna Host", "Murad Muradov")
    other = await world.published("Series B", "Other Host", "Zara Aliyeva")
    assert await related(client, me) == []

    people = [{"person_id": p["person_id"], "role": p["role"]} for p in other["participants"]] + [
        {"person_id": world.people_by_name["Murad Muradov"]["id"], "role": "interviewee"}
    ]
    response = await client.put(
        f"/admin/v1/interviews/{other['id']}/participants", json=people, headers=editor
    )
    assert response.status_code == 200, response.text
    assert await related(client, me) == [other["slug"]]
