"""Admin API for people: profiles, images, search, pagination, slugs and deletion."""

from typing import Any

import asyncpg
import pytest

from tests.factories import Client, make_interview, make_person, make_series
from tests.helpers import fields, problem

PEOPLE = "/admin/v1/people"
IMAGE = {
    "url": "https://news.example/img/murad.jpg",
    "alt": "Murad Muradov at a lectern",
    "credit": "Photo: Aysel Rzayeva",
    "width": 800,
    "height": 1000,
}
STORED_IMAGE = {**IMAGE, "decorative": False, "caption": "", "focal_point": None}  # as served
LINKS = [{"label": "Topchubashov Center", "url": "https://top-center.org/"}]


async def test_create_full_profile(client: Client, editor: dict[str, str]) -> None:
    body = {
        "name": "Murad Muradov",
        "headline": "A leading person in Azerbaijan's think tank community",
        "bio": "Co-founder of the Topchubashov Center.",
        "affiliation": "Topchubashov Center",
        "image": IMAGE,
        "links": LINKS,
    }
    response = await client.post(PEOPLE, json=body, headers=editor)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"v1"'
    person = response.json()
    assert {key: person[key] for key in body} == {**body, "image": STORED_IMAGE}
    assert person["slug"] == "murad-muradov"

    response = await client.get(f"{PEOPLE}/{person['id']}", headers=editor)
    assert response.status_code == 200
    assert response.json() == person


async def test_minimal_person_has_defaults(client: Client, editor: dict[str, str]) -> None:
    person = await make_person(client, editor, "Lauri Nikulainen")
    assert person["headline"] == person["bio"] == person["affiliation"] == ""
    assert person["image"] is None
    assert person["links"] == []


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"image": {"url": IMAGE["url"]}}, "image.alt"),
        ({"image": {**IMAGE, "height": None}}, "image.height"),
        ({"image": {**IMAGE, "url": "ftp://news.example/murad.jpg"}}, "image.url"),
        ({"image": {**IMAGE, "url": "javascript:alert(1)"}}, "image.url"),
        ({"links": [{"label": "Site", "url": "top-center.org"}]}, "links[0].url"),
    ],
    ids=["no-alt", "no-height", "ftp-url", "javascript-url", "link-without-scheme"],
)
async def test_bad_image_or_link_is_400(
    client: Client,
    editor: dict[str, str],
    db: asyncpg.Connection,
    bad: dict[str, Any],
    field: str,
) -> None:
    response = await client.post(PEOPLE, json={"name": "Murad Muradov", **bad}, headers=editor)
    assert fields(problem(response, 400)) == [field]
    assert await db.fetchval("SELECT count(*) FROM people") == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"headline": "No name"}, "name"), ({"name": "Murad Muradov", "nmae": "typo"}, "nmae")],
    ids=["missing", "unknown"],
)
async def test_missing_or_unknown_field_is_named(
    client: Client, editor: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await client.post(PEOPLE, json=body, headers=editor)
    assert fields(problem(response, 400)) == [field]


async def test_search_by_part_of_name(client: Client, editor: dict[str, str]) -> None:
    await make_person(client, editor, "Murad Muradov")
    await make_person(client, editor, "Lauri Nikulainen")
    response = await client.get(PEOPLE, params={"q": "mura"}, headers=editor)
    assert response.status_code == 200, response.text
    assert [p["name"] for p in response.json()["items"]] == ["Murad Muradov"]

    for q in ["nobody", "%", "_"]:  # LIKE wildcards are plain characters here
        response = await client.get(PEOPLE, params={"q": q}, headers=editor)
        assert response.json() == {"items": [], "next_cursor": None}, q


async def test_list_pages_by_name(client: Client, editor: dict[str, str]) -> None:
    for name in ["Zara Aliyeva", "Murad Muradov", "Anna Kask", "Murad Muradov", "Lauri Nikulainen"]:
        await make_person(client, editor, name)

    names: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(5):
        response = await client.get(PEOPLE, params=params, headers=editor)
        assert response.status_code == 200, response.text
        page = response.json()
        names += [p["name"] for p in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert names == [
        "Anna Kask",
        "Lauri Nikulainen",
        "Murad Muradov",
        "Murad Muradov",
        "Zara Aliyeva",
    ]


async def test_same_name_gets_numbered_slug(client: Client, editor: dict[str, str]) -> None:
    slugs = [(await make_person(client, editor, "Murad Muradov"))["slug"] for _ in range(3)]
    assert slugs == ["murad-muradov", "murad-muradov-2", "murad-muradov-3"]


async def test_patch_with_if_match(client: Client, editor: dict[str, str]) -> None:
    person = await make_person(client, editor, "Murad Muradov")
    url = f"{PEOPLE}/{person['id']}"

    response = await client.patch(
        url,
        json={"headline": "Political scientist", "image": IMAGE},
        headers={**editor, "If-Match": '"v1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v2"'
    assert response.json()["headline"] == "Political scientist"
    assert response.json()["image"] == STORED_IMAGE

    response = await client.patch(
        url, json={"headline": "Stale"}, headers={**editor, "If-Match": '"v1"'}
    )
    assert fields(problem(response, 412)) == ["If-Match"]

    response = await client.patch(url, json={"image": None}, headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["image"] is None
    assert response.json()["headline"] == "Political scientist"


async def test_patch_with_empty_body_changes_nothing(
    client: Client, editor: dict[str, str]
) -> None:
    person = await make_person(client, editor, "Murad Muradov")
    response = await client.patch(f"{PEOPLE}/{person['id']}", json={}, headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Murad Muradov"


async def test_patch_slug_taken_is_409(client: Client, editor: dict[str, str]) -> None:
    await make_person(client, editor, "Murad Muradov")
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    response = await client.patch(
        f"{PEOPLE}/{lauri['id']}", json={"slug": "murad-muradov"}, headers=editor
    )
    assert fields(problem(response, 409)) == ["slug"]


async def test_delete_participant_is_409(client: Client, editor: dict[str, str]) -> None:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    await make_interview(client, editor, series, lauri, murad)

    url = f"{PEOPLE}/{murad['id']}"
    response = await client.delete(url, headers=editor)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(url, headers=editor)).json() == murad


async def test_delete_unused_person(client: Client, editor: dict[str, str]) -> None:
    person = await make_person(client, editor, "Anna Kask")
    url = f"{PEOPLE}/{person['id']}"
    response = await client.delete(url, headers=editor)
    assert response.status_code == 204, response.text
    assert (await client.get(url, headers=editor)).status_code == 404
    assert (await client.delete(url, headers=editor)).status_code == 404
