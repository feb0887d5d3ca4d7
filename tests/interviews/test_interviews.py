"""Interviews through the Admin API: CRUD, listing, body rules, and bad input."""

from typing import Any

import pytest

from tests.conftest import MovableClock
from tests.factories import (
    IMAGE_SIZE,
    Client,
    Headers,
    Json,
    make_interview,
    make_person,
    make_series,
)
from tests.helpers import fetch, fields, ok, problem

BASE = "/admin/v1/interviews"


async def create(client: Client, headers: Headers, body: Json) -> Any:
    return await client.post(f"{BASE}/", json=body, headers=headers)


def both(lauri: Json, murad: Json) -> list[Json]:
    return [
        {"person_id": lauri["id"], "role": "interviewer"},
        {"person_id": murad["id"], "role": "interviewee"},
    ]


# --- create, read, update, delete ----------------------------------------------------------


async def test_create_returns_201_with_etag_and_unicode_slug(
    client: Client, editor: Headers, series: Json
) -> None:
    response = await create(
        client, editor, {"series_id": series["id"], "title": "Zürich Ünterview: Ärmenia"}
    )
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"v1"'
    created = response.json()
    assert created["slug"] == "zurich-unterview-armenia"
    assert created["version"] == 1
    assert created["status"] == "draft"
    assert created["title"] == "Zürich Ünterview: Ärmenia"


async def test_cyrillic_title_keeps_cyrillic_letters(
    client: Client, editor: Headers, series: Json
) -> None:
    response = await create(
        client, editor, {"series_id": series["id"], "title": "Интервью Мурада Мурадова"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == "интервью-мурада-мурадова"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Андрей Йович", "андрей-йович"),  # й is a letter of its own, not an accented и
        ("ガイド", "ガイド"),  # dakuten change the kana: ド is not ト
        ("नमस्ते दुनिया", "नमस्ते-दुनिया"),  # vowel signs and virama are part of the word
        ("Հայաստան", "հայաստան"),
    ],
    ids=["cyrillic", "kana", "devanagari", "armenian"],
)
async def test_slugs_keep_the_letters_of_other_scripts_whole(
    client: Client, editor: Headers, series: Json, title: str, slug: str
) -> None:
    """Only accents on Latin letters are dropped; marks that are part of a letter stay."""
    response = await create(client, editor, {"series_id": series["id"], "title": title})
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == slug


async def test_title_without_letters_gets_a_placeholder_slug(
    client: Client, editor: Headers, series: Json
) -> None:
    for title in ("!!!", "\U0001f389"):
        response = await create(client, editor, {"series_id": series["id"], "title": title})
        assert response.status_code == 201, response.text
    listing = (await client.get(f"{BASE}/", headers=editor)).json()["items"]
    assert sorted(item["slug"] for item in listing) == ["untitled", "untitled-2"]


async def test_duplicate_generated_slug_gets_a_number(
    client: Client, editor: Headers, series: Json
) -> None:
    slugs = []
    for _ in range(3):
        response = await create(client, editor, {"series_id": series["id"], "title": "Same"})
        assert response.status_code == 201, response.text
        slugs.append(response.json()["slug"])
    assert slugs == ["same", "same-2", "same-3"]


async def test_explicit_duplicate_slug_is_409(
    client: Client, editor: Headers, series: Json
) -> None:
    first = {"series_id": series["id"], "title": "One", "slug": "taken"}
    assert (await create(client, editor, first)).status_code == 201
    response = await create(client, editor, {**first, "title": "Two"})
    body = problem(response, 409)
    assert body["errors"][0]["field"] == "slug"
    listing = await client.get(f"{BASE}/", headers=editor)
    assert [item["title"] for item in listing.json()["items"]] == ["One"]


async def test_patch_slug_to_a_taken_one_is_409_and_changes_nothing(
    client: Client, editor: Headers, series: Json, interview: Json
) -> None:
    await create(client, editor, {"series_id": series["id"], "title": "Other", "slug": "other"})
    response = await client.patch(
        f"{BASE}/{interview['id']}", json={"slug": "other", "title": "New"}, headers=editor
    )
    assert fields(problem(response, 409)) == ["slug"]
    stored = await fetch(client, editor, interview)
    assert (stored["slug"], stored["title"], stored["version"]) == (
        interview["slug"], interview["title"], 1,
    )  # fmt: skip


async def test_get_returns_the_interview_with_its_etag(
    client: Client, editor: Headers, interview: Json
) -> None:
    response = await client.get(f"{BASE}/{interview['id']}", headers=editor)
    assert response.status_code == 200
    assert response.headers["etag"] == '"v1"'
    assert response.json() == interview


async def test_get_unknown_is_404(client: Client, editor: Headers) -> None:
    response = await client.get(f"{BASE}/00000000-0000-0000-0000-000000000000", headers=editor)
    problem(response, 404)


async def test_requests_without_a_token_are_401(client: Client, interview: Json) -> None:
    response = await client.get(f"{BASE}/{interview['id']}")
    problem(response, 401)


async def test_patch_with_stale_if_match_is_412_and_changes_nothing(
    client: Client, editor: Headers, interview: Json
) -> None:
    url = f"{BASE}/{interview['id']}"
    assert (await client.patch(url, json={"title": "Second"}, headers=editor)).status_code == 200
    response = await client.patch(
        url, json={"title": "Third"}, headers={**editor, "If-Match": '"v1"'}
    )
    assert fields(problem(response, 412)) == ["If-Match"]
    stored = await fetch(client, editor, interview)
    assert (stored["title"], stored["version"]) == ("Second", 2)


async def test_patch_with_an_etag_we_never_gave_is_412(
    client: Client, editor: Headers, interview: Json
) -> None:
    response = await client.patch(
        f"{BASE}/{interview['id']}", json={"title": "X"}, headers={**editor, "If-Match": "abc"}
    )
    problem(response, 412)
    assert (await fetch(client, editor, interview))["title"] == interview["title"]


async def test_patch_with_current_if_match_bumps_the_version(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    clock.advance(minutes=5)
    response = await client.patch(
        f"{BASE}/{interview['id']}",
        json={"title": "Renamed", "tags": [" Azerbaijan ", "azerbaijan", "Think  tanks"]},
        headers={**editor, "If-Match": '"v1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v2"'
    updated = response.json()
    assert updated["version"] == 2
    assert updated["title"] == "Renamed"
    assert updated["tags"] == ["Azerbaijan", "Think tanks"]
    assert updated["slug"] == interview["slug"]
    assert updated["body"] == interview["body"]
    assert updated["updated_at"] == "2026-11-26T09:05:00Z"
    assert updated["created_at"] == interview["created_at"]
    assert await fetch(client, editor, interview) == updated


async def test_empty_patch_changes_nothing(
    client: Client, editor: Headers, interview: Json
) -> None:
    response = await client.patch(f"{BASE}/{interview['id']}", json={}, headers=editor)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v1"'
    assert response.json() == interview


async def test_status_cannot_be_patched(
    client: Client, contributor: Headers, interview: Json
) -> None:
    """Publication goes through the lifecycle actions, which need an editor."""
    response = await client.patch(
        f"{BASE}/{interview['id']}", json={"status": "published"}, headers=contributor
    )
    problem(response, 400)
    assert await fetch(client, contributor, interview) == interview


async def test_patch_unknown_is_404(client: Client, editor: Headers) -> None:
    response = await client.patch(
        f"{BASE}/00000000-0000-0000-0000-000000000000", json={"title": "X"}, headers=editor
    )
    problem(response, 404)


async def test_editor_deletes_an_interview(
    client: Client, editor: Headers, interview: Json
) -> None:
    response = await client.delete(
        f"{BASE}/{interview['id']}", headers={**editor, "If-Match": interview_etag(interview)}
    )
    assert response.status_code == 204, response.text
    problem(await client.get(f"{BASE}/{interview['id']}", headers=editor), 404)


async def test_delete_without_if_match_is_428_naming_the_etag(
    client: Client, editor: Headers, interview: Json
) -> None:
    body = problem(await client.delete(f"{BASE}/{interview['id']}", headers=editor), 428)
    assert fields(body) == ["If-Match"]
    assert '"v1"' in body["detail"]
    assert (await fetch(client, editor, interview))["version"] == 1


def interview_etag(interview: Json) -> str:
    return f'"v{interview["version"]}"'


async def test_delete_with_stale_if_match_is_412(
    client: Client, editor: Headers, interview: Json
) -> None:
    await client.patch(f"{BASE}/{interview['id']}", json={"title": "v2"}, headers=editor)
    response = await client.delete(
        f"{BASE}/{interview['id']}", headers={**editor, "If-Match": '"v1"'}
    )
    assert fields(problem(response, 412)) == ["If-Match"]
    assert (await fetch(client, editor, interview))["version"] == 2


# --- listing ---------------------------------------------------------------------------------


async def test_pages_of_one_walk_every_interview_once_newest_first(
    client: Client, editor: Headers, series: Json, clock: MovableClock
) -> None:
    """Two pairs created at the same instant, so the cursor must also break ties on id."""
    ids: list[str] = []
    for minute in range(2):
        for n in range(2):
            response = await create(
                client, editor, {"series_id": series["id"], "title": f"I {minute} {n}"}
            )
            ids.append(response.json()["id"])
        clock.advance(minutes=1)

    seen: list[Json] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"{BASE}/", params=params, headers=editor)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) == 1
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    seen_ids = [item["id"] for item in seen]
    assert len(seen_ids) == 4
    assert sorted(seen_ids) == sorted(ids)
    assert seen_ids[:2] == sorted(ids[2:], reverse=True)  # ties: higher id first
    assert [item["created_at"] for item in seen] == sorted(
        (item["created_at"] for item in seen), reverse=True
    )


async def test_list_filters_by_series_status_person_and_tag(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json
) -> None:
    other_series = await make_series(client, editor, title="Friday Talk")
    anna = await make_person(client, editor, "Anna Petrosyan")
    first = await make_interview(client, editor, series, lauri, murad, tags=["Azerbaijan"])
    second = await make_interview(client, editor, other_series, lauri, anna, tags=["Armenia"])
    response = await client.post(f"{BASE}/{second['id']}/publish", headers=editor)
    assert response.status_code == 200, response.text

    async def listed(**params: str) -> list[str]:
        response = await client.get(f"{BASE}/", params=params, headers=editor)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert sorted(await listed()) == sorted([first["id"], second["id"]])
    assert await listed(series_id=other_series["id"]) == [second["id"]]
    assert await listed(series_id=series["id"]) == [first["id"]]
    assert await listed(status="published") == [second["id"]]
    assert await listed(status="draft") == [first["id"]]
    assert await listed(status="withdrawn") == []
    assert await listed(person_id=murad["id"]) == [first["id"]]
    assert await listed(person_id=anna["id"]) == [second["id"]]
    assert len(await listed(person_id=lauri["id"])) == 2
    assert await listed(tag="Armenia") == [second["id"]]
    assert await listed(tag="Azerbaijan") == [first["id"]]
    assert await listed(tag="Georgia") == []
    assert await listed(person_id=lauri["id"], status="draft") == [first["id"]]


@pytest.mark.parametrize("cursor", ["nonsense", "bm90IGEgY3Vyc29y", "WyJ4IiwgInkiXQ"])
async def test_a_cursor_we_never_gave_is_400(client: Client, editor: Headers, cursor: str) -> None:
    response = await client.get(f"{BASE}/", params={"cursor": cursor}, headers=editor)
    assert fields(problem(response, 400)) == ["cursor"]


@pytest.mark.parametrize("limit", ["0", "1000", "-1", "ten"])
async def test_a_limit_out_of_range_is_400(client: Client, editor: Headers, limit: str) -> None:
    response = await client.get(f"{BASE}/", params={"limit": limit}, headers=editor)
    assert fields(problem(response, 400)) == ["limit"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("status", "gone"), ("series_id", "not-a-uuid"), ("person_id", "42"), ("tag", "x" * 61)],
)
async def test_a_bad_filter_is_400_naming_it(
    client: Client, editor: Headers, name: str, value: str
) -> None:
    response = await client.get(f"{BASE}/", params={name: value}, headers=editor)
    assert fields(problem(response, 400)) == [name]


# --- body ------------------------------------------------------------------------------------


async def test_body_html_is_sanitised_on_write(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json
) -> None:
    text = (
        'Hi<script>alert("x")</script> <em>one</em> <strong>two</strong> '
        '<a href="https://example.org/a" onclick="steal()">safe</a> '
        '<a href="javascript:alert(1)">bad</a> <img src=x onerror=alert(1)>'
        "<span style='color:red'>red</span>\x07\x00 end"
    )
    response = await create(
        client,
        editor,
        {
            "series_id": series["id"],
            "title": "HTML",
            "participants": both(lauri, murad),
            "body": [{"type": "answer", "speaker_id": murad["id"], "text": text}],
        },
    )
    assert response.status_code == 201, response.text
    stored = response.json()["body"][0]["text"]
    assert "script" not in stored
    assert "alert" not in stored
    assert "onclick" not in stored
    assert "javascript" not in stored
    assert "<img" not in stored
    assert "<span" not in stored
    assert "\x07" not in stored and "\x00" not in stored
    assert "<em>one</em>" in stored
    assert "<strong>two</strong>" in stored
    assert 'href="https://example.org/a"' in stored
    assert ">safe</a>" in stored
    assert "</a> bad " in stored  # a link whose href is dropped is no link: its text stays
    assert stored.startswith("Hi ")
    assert stored.endswith("red end")


async def test_block_ids_are_generated_when_missing_and_kept_when_given(
    client: Client, editor: Headers, interview: Json
) -> None:
    question, answer = interview["body"]
    assert answer["id"] == "visit"
    assert isinstance(question["id"], str) and question["id"]
    response = await client.patch(
        f"{BASE}/{interview['id']}",
        json={"body": [*interview["body"], {"type": "paragraph", "text": "Thanks."}]},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    body = response.json()["body"]
    assert [block["id"] for block in body[:2]] == [question["id"], "visit"]
    assert body[2]["id"] and body[2]["id"] not in {question["id"], "visit"}
    assert body[2] == {"type": "paragraph", "id": body[2]["id"], "text": "Thanks."}


async def test_duplicate_block_ids_are_422(
    client: Client, editor: Headers, interview: Json
) -> None:
    body = [
        {"type": "paragraph", "id": "same", "text": "One"},
        {"type": "paragraph", "id": "same", "text": "Two"},
    ]
    response = await client.patch(f"{BASE}/{interview['id']}", json={"body": body}, headers=editor)
    assert fields(problem(response, 422)) == ["body[1].id"]
    assert await fetch(client, editor, interview) == interview


async def test_speaker_who_does_not_take_part_is_422(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json
) -> None:
    response = await create(
        client,
        editor,
        {
            "series_id": series["id"],
            "title": "Monologue",
            "participants": [{"person_id": lauri["id"], "role": "interviewer"}],
            "body": [{"type": "answer", "speaker_id": murad["id"], "text": "Hello"}],
        },
    )
    assert fields(problem(response, 422)) == ["body[0].speaker_id"]
    assert (await client.get(f"{BASE}/", headers=editor)).json()["items"] == []


async def test_body_patch_with_a_stranger_speaking_is_422(
    client: Client, editor: Headers, interview: Json
) -> None:
    stranger = await make_person(client, editor, "Stranger")
    body = [*interview["body"], {"type": "question", "speaker_id": stranger["id"], "text": "?!"}]
    response = await client.patch(f"{BASE}/{interview['id']}", json={"body": body}, headers=editor)
    assert fields(problem(response, 422)) == ["body[2].speaker_id"]
    assert await fetch(client, editor, interview) == interview


async def test_unknown_block_type_is_400(client: Client, editor: Headers, interview: Json) -> None:
    body = [{"type": "video", "text": "https://example.org/v.mp4"}]
    response = await client.patch(f"{BASE}/{interview['id']}", json={"body": body}, headers=editor)
    assert fields(problem(response, 400)) == ["body[0].type"]
    assert await fetch(client, editor, interview) == interview


async def test_an_edit_sanitises_every_block_it_changes_whatever_id_it_gives(
    client: Client, editor: Headers, interview: Json
) -> None:
    """Blocks sent back as stored are kept as they are; any other text is cleaned, also under
    the id of a stored block."""
    kept, changed = interview["body"][0], interview["body"][1]
    body = [
        kept,
        {**changed, "text": 'Now <script>alert(1)</script><em onclick="x()">mine</em>'},
        {"type": "paragraph", "id": "new", "text": "<img src=x onerror=y>Added"},
    ]
    response = await client.patch(f"{BASE}/{interview['id']}", json={"body": body}, headers=editor)
    assert response.status_code == 200, response.text
    texts = [block["text"] for block in response.json()["body"]]
    assert texts == [kept["text"], "Now <em>mine</em>", "Added"]


@pytest.mark.parametrize("text", ["<em></em>", "<script>alert(1)</script>", "  <br>  ", "\x07"])
async def test_text_that_is_only_markup_is_422(
    client: Client, editor: Headers, interview: Json, text: str
) -> None:
    body = [{"type": "paragraph", "text": text}]
    response = await client.patch(f"{BASE}/{interview['id']}", json={"body": body}, headers=editor)
    assert fields(problem(response, 422)) == ["body[0].text"]
    assert await fetch(client, editor, interview) == interview


# --- bad input -------------------------------------------------------------------------------


async def test_malformed_json_is_400_problem(
    client: Client, editor: Headers, interview: Json
) -> None:
    for method in ("POST", "PATCH"):
        url = f"{BASE}/" if method == "POST" else f"{BASE}/{interview['id']}"
        response = await client.request(
            method,
            url,
            content=b'{"title": "unterminated',
            headers={**editor, "Content-Type": "application/json"},
        )
        problem(response, 400)
    assert await fetch(client, editor, interview) == interview
    assert len((await client.get(f"{BASE}/", headers=editor)).json()["items"]) == 1


@pytest.mark.parametrize("content", [b"", b"null", b"[]", b'"title"'])
async def test_a_body_that_is_not_an_object_is_400(
    client: Client, editor: Headers, interview: Json, content: bytes
) -> None:
    headers = {**editor, "Content-Type": "application/json"}
    response = await client.patch(f"{BASE}/{interview['id']}", content=content, headers=headers)
    problem(response, 400)
    response = await client.post(f"{BASE}/", content=content, headers=headers)
    problem(response, 400)
    assert await fetch(client, editor, interview) == interview


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"title": "X", "colour": "red"}, "colour"),
        ({"title": 123}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": ""}, "title"),
        ({"slug": "Bad Slug!"}, "slug"),
        ({"slug": "double--hyphen"}, "slug"),
        ({"tags": "not-a-list"}, "tags"),
        ({"series_id": "not-a-uuid"}, "series_id"),
        ({"body": [{"type": "paragraph"}]}, "body[0].text"),
        ({"body": [{"type": "paragraph", "text": "x", "style": "bold"}]}, "body[0].style"),
        ({"body": [{"type": "paragraph", "text": "x", "id": "has space"}]}, "body[0].id"),
        ({"image": {"url": "ftp://example.org/a.jpg", "alt": "A", **IMAGE_SIZE}}, "image.url"),
        ({"image": {"url": "https://example.org/a.jpg", "alt": "A", "height": 1}}, "image.width"),
    ],
)
async def test_invalid_patch_is_400_naming_the_field_and_changes_nothing(
    client: Client, editor: Headers, interview: Json, patch: Json, field: str
) -> None:
    response = await client.patch(f"{BASE}/{interview['id']}", json=patch, headers=editor)
    assert fields(problem(response, 400)) == [field]
    assert await fetch(client, editor, interview) == interview


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"title": 123}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"slug": "Bad Slug!"}, "slug"),
        ({"participants": [{"person_id": "not-a-uuid", "role": "interviewee"}]},
         "participants[0].person_id"),
        ({"participants": [{"person_id": "00000000-0000-0000-0000-000000000001", "role": "host"}]},
         "participants[0].role"),
    ],
)  # fmt: skip
async def test_invalid_create_is_400_naming_the_field(
    client: Client, editor: Headers, series: Json, extra: Json, field: str
) -> None:
    response = await create(client, editor, {"series_id": series["id"], "title": "T", **extra})
    assert fields(problem(response, 400)) == [field]
    assert (await client.get(f"{BASE}/", headers=editor)).json()["items"] == []


async def test_missing_title_is_400(client: Client, editor: Headers, series: Json) -> None:
    response = await create(client, editor, {"series_id": series["id"]})
    assert fields(problem(response, 400)) == ["title"]


async def test_unknown_series_is_422(client: Client, editor: Headers, interview: Json) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    response = await create(client, editor, {"series_id": unknown, "title": "Orphan"})
    assert fields(problem(response, 422)) == ["series_id"]
    response = await client.patch(
        f"{BASE}/{interview['id']}", json={"series_id": unknown}, headers=editor
    )
    assert fields(problem(response, 422)) == ["series_id"]
    assert await fetch(client, editor, interview) == interview


async def test_unknown_person_in_participants_is_422(
    client: Client, editor: Headers, series: Json, lauri: Json
) -> None:
    response = await create(
        client,
        editor,
        {
            "series_id": series["id"],
            "title": "Ghost",
            "participants": [
                {"person_id": lauri["id"], "role": "interviewer"},
                {"person_id": "00000000-0000-0000-0000-000000000000", "role": "interviewee"},
            ],
        },
    )
    assert fields(problem(response, 422)) == ["participants"]
    assert (await client.get(f"{BASE}/", headers=editor)).json()["items"] == []


async def test_duplicate_person_in_participants_is_422(
    client: Client, editor: Headers, series: Json, lauri: Json
) -> None:
    response = await create(
        client,
        editor,
        {
            "series_id": series["id"],
            "title": "Twice",
            "participants": [
                {"person_id": lauri["id"], "role": "interviewer"},
                {"person_id": lauri["id"], "role": "interviewee"},
            ],
        },
    )
    assert fields(problem(response, 422)) == ["participants[1].person_id"]
    assert (await client.get(f"{BASE}/", headers=editor)).json()["items"] == []


async def test_body_over_the_size_limit_is_413(
    client: Client, editor: Headers, interview: Json
) -> None:
    big = [{"type": "paragraph", "text": "x" * 10_000} for _ in range(7)]
    response = await client.patch(f"{BASE}/{interview['id']}", json={"body": big}, headers=editor)
    problem(response, 413)
    assert await fetch(client, editor, interview) == interview


@pytest.mark.parametrize("field", ["title", "standfirst"])
async def test_nul_in_plain_text_fields_is_stripped(
    client: Client, editor: Headers, interview: Json, field: str
) -> None:
    """PostgreSQL text cannot hold NUL: it is stripped, as from body text."""
    response = await client.patch(
        f"{BASE}/{interview['id']}", json={field: "nul\u0000byte"}, headers=editor
    )
    assert ok(response)[field] == "nulbyte"
    assert (await fetch(client, editor, interview))[field] == "nulbyte"


async def test_nul_in_image_alt_is_stripped(
    client: Client, editor: Headers, interview: Json
) -> None:
    image = {"url": "https://example.org/a.jpg", "alt": "nul\u0000byte", **IMAGE_SIZE}
    response = await client.patch(
        f"{BASE}/{interview['id']}", json={"image": image}, headers=editor
    )
    assert ok(response)["image"]["alt"] == "nulbyte"
    assert (await fetch(client, editor, interview))["image"]["alt"] == "nulbyte"


async def test_lone_surrogate_is_400(client: Client, editor: Headers, interview: Json) -> None:
    response = await client.patch(
        f"{BASE}/{interview['id']}",
        content=b'{"title": "lone \\ud800 surrogate"}',
        headers={**editor, "Content-Type": "application/json"},
    )
    problem(response, 400)
    assert await fetch(client, editor, interview) == interview
