"""What the Admin API takes as an image: its size always, alt text unless it is decorative, a
focal point inside it; and images stored before sizes were asked for still read and restore."""

from typing import Any

import asyncpg
import pytest

from tests.factories import Client, Headers, Json, make_interview, make_person, make_series
from tests.helpers import fields, ok, problem, unprocessable
from tests.images import IMAGE, OLD_IMAGE, published_with, set_image

INTERVIEWS = "/admin/v1/interviews"
PEOPLE = "/admin/v1/people"
CONTENT = "/content/v1"
DECORATIVE = {"url": "https://img.example/texture.png", "alt": "", "decorative": True}
DECORATIVE |= {"width": 1200, "height": 400}


@pytest.fixture
async def interview(client: Client, editor: Headers) -> Json:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    return await make_interview(client, editor, series, lauri, murad)


def without(name: str) -> Json:
    return {key: value for key, value in IMAGE.items() if key != name}


SCHEMA_REFUSES = [
    (without("width"), "image.width"),
    (without("height"), "image.height"),
    ({**IMAGE, "width": None}, "image.width"),
    ({**IMAGE, "width": 0}, "image.width"),
    ({**IMAGE, "height": 1.5}, "image.height"),
    ({**IMAGE, "focal_point": {"x": 1.5, "y": 0.5}}, "image.focal_point.x"),
    ({**IMAGE, "focal_point": {"x": 0.5, "y": -0.1}}, "image.focal_point.y"),
    ({**IMAGE, "focal_point": {"x": 0.5}}, "image.focal_point.y"),
    ({**IMAGE, "decorative": "yes"}, "image.decorative"),
]
SCHEMA_IDS = [
    "no-width",
    "no-height",
    "null-width",
    "zero-width",
    "fractional-height",
    "focal-x-past-1",
    "focal-y-below-0",
    "focal-without-y",
    "decorative-not-bool",
]


@pytest.mark.parametrize(("image", "field"), SCHEMA_REFUSES, ids=SCHEMA_IDS)
async def test_an_image_without_its_size_or_out_of_bounds_is_400_naming_the_field(
    client: Client, editor: Headers, interview: Json, image: Json, field: str
) -> None:
    response = await client.patch(
        f"{INTERVIEWS}/{interview['id']}", json={"image": image}, headers=editor
    )
    assert fields(problem(response, 400)) == [field]
    response = await client.get(f"{INTERVIEWS}/{interview['id']}", headers=editor)
    assert response.json()["image"] is None, "nothing changed"


@pytest.mark.parametrize("missing", ["width", "height"])
async def test_a_new_interview_or_person_needs_the_size_too(
    client: Client, editor: Headers, missing: str
) -> None:
    series = await make_series(client, editor)
    body: Json = {"series_id": series["id"], "title": "T", "image": without(missing)}
    response = await client.post(INTERVIEWS, json=body, headers=editor)
    assert fields(problem(response, 400)) == [f"image.{missing}"]
    response = await client.post(
        PEOPLE, json={"name": "Murad Muradov", "image": without(missing)}, headers=editor
    )
    assert fields(problem(response, 400)) == [f"image.{missing}"]
    person = await make_person(client, editor, "Lauri Nikulainen")
    response = await client.patch(
        f"{PEOPLE}/{person['id']}", json={"image": without(missing)}, headers=editor
    )
    assert fields(problem(response, 400)) == [f"image.{missing}"]


@pytest.mark.parametrize(
    "image",
    [
        {**IMAGE, "alt": ""},
        {**IMAGE, "alt": " \u200b "},  # nothing a reader would see
        {**IMAGE, "alt": "\u0001"},  # nothing once normalised
        {**IMAGE, "alt": "", "decorative": False},
        {**DECORATIVE, "alt": "A wooden texture"},
        {**DECORATIVE, "alt": " "},
    ],
    ids=["empty", "blank", "control", "empty-not-decorative", "decorative-alt", "decorative-space"],
)
async def test_alt_is_required_unless_decorative_and_only_empty_when_it_is(
    client: Client, editor: Headers, interview: Json, image: Json
) -> None:
    path = f"{INTERVIEWS}/{interview['id']}"
    assert unprocessable(await client.patch(path, json={"image": image}, headers=editor)) == [
        "image.alt"
    ]
    person = await make_person(client, editor, "Zara Aliyeva")
    response = await client.patch(f"{PEOPLE}/{person['id']}", json={"image": image}, headers=editor)
    assert unprocessable(response) == ["image.alt"]


async def test_a_decorative_image_is_stored_with_an_empty_alt(
    client: Client, editor: Headers, interview: Json
) -> None:
    stored = (await set_image(client, editor, interview, DECORATIVE))["image"]
    assert stored == {**DECORATIVE, "credit": "", "caption": "", "focal_point": None}


async def test_everything_an_image_may_say_is_kept(
    client: Client, editor: Headers, interview: Json
) -> None:
    image = {
        **IMAGE,
        "decorative": False,
        "caption": "Murad Muradov, in his office at the Topchubashov Center.\nBaku, 2026.",
        "focal_point": {"x": 0.25, "y": 0.0},
    }
    assert (await set_image(client, editor, interview, image))["image"] == image
    corners = {**image, "focal_point": {"x": 1, "y": 1}}
    assert (await set_image(client, editor, interview, corners))["image"] == corners


async def store_old_image(
    db: asyncpg.Connection, table: str, row_id: Any, image: Json = OLD_IMAGE
) -> None:
    """Write an image as rows stored before sizes were asked for hold it, past the API."""
    await db.execute(f"UPDATE {table} SET image = $1 WHERE id = $2", image, row_id)


# The API once took any alt of a character, a space too.
@pytest.mark.parametrize("alt", [OLD_IMAGE["alt"], " "], ids=["alt", "blank-alt"])
async def test_an_image_stored_without_its_size_still_reads_everywhere(
    client: Client, editor: Headers, db: asyncpg.Connection, alt: str
) -> None:
    old = {**OLD_IMAGE, "alt": alt}
    interview = await published_with(client, editor, None)
    await store_old_image(db, "interviews", interview["id"], old)
    murad = next(p for p in interview["participants"] if p["role"] == "interviewee")
    await store_old_image(db, "people", murad["person_id"], old)
    stored = {**old, "decorative": False, "caption": ""}
    stored |= {"width": None, "height": None, "focal_point": None}

    admin = ok(await client.get(f"{INTERVIEWS}/{interview['id']}", headers=editor))
    assert admin["image"] == stored
    person = await client.get(f"{PEOPLE}/{murad['person_id']}", headers=editor)
    assert person.status_code == 200
    assert person.json()["image"] == stored

    page = (await client.get(f"{CONTENT}/interviews/{interview['slug']}")).json()
    assert page["image"] == page["card"]["image"] == {**stored, "srcset": []}
    assert [p["image"] for p in page["participants"] if p["role"] == "interviewee"] == [stored]
    keys = {m.get("property") for m in page["social"]}
    assert "og:image" in keys
    assert not {"og:image:width", "og:image:height"} & keys, "no size where none is known"
    response = await client.get(f"{CONTENT}/people/{murad['slug']}")
    assert response.status_code == 200
    for ending in ("rss", "atom", "json"):
        response = await client.get(f"/feeds/all.{ending}")
        assert response.status_code == 200, response.text


async def test_an_interview_with_an_old_image_still_takes_edits_and_restores(
    client: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    interview = await published_with(client, editor, None)  # published: no revisions fold
    await store_old_image(db, "interviews", interview["id"])
    path = f"{INTERVIEWS}/{interview['id']}"
    edited = ok(await client.patch(path, json={"title": "Renamed"}, headers=editor))
    assert edited["image"]["url"] == OLD_IMAGE["url"], "an edit of another field keeps it"
    replaced = await set_image(client, editor, edited, IMAGE)
    revisions = (await client.get(f"{path}/revisions", headers=editor)).json()["items"]
    *_, with_old, _ = sorted(r["number"] for r in revisions)
    response = await client.post(
        f"{path}/revisions/{with_old}/restore",
        headers={**editor, "If-Match": f'"v{replaced["version"]}"'},
    )
    assert ok(response)["image"]["url"] == OLD_IMAGE["url"]
    assert response.json()["image"]["width"] is None
