"""Text is normalised first, then validated: what is checked is what is stored.

A value the schema accepts as sent but that is empty, or no slug, once normalised is a 422
naming the field; the value as stored is NFC, with plain newlines, without control characters,
noncharacters, or (in titles, names, tags and slugs) bidi overrides and isolates.
"""

from typing import Any

import pytest

from tests.factories import IMAGE_SIZE, Client, Headers, Json
from tests.helpers import fetch, ok, unprocessable

BASE = "/admin/v1/interviews"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
NONCHARACTERS = "\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff"
ARABIC = "مرحبا"


async def patch(client: Client, editor: Headers, interview: Json, changes: Json) -> Any:
    return await client.patch(f"{BASE}/{interview['id']}", json=changes, headers=editor)


# --- empty once normalised -----------------------------------------------------------------


@pytest.mark.parametrize("title", ["\u0001", "\u0000\u007f", BIDI, NONCHARACTERS, "  \u202e "])
async def test_title_empty_once_normalised_is_422_on_create_and_update(
    client: Client, editor: Headers, series: Json, interview: Json, title: str
) -> None:
    response = await client.post(
        f"{BASE}/", json={"series_id": series["id"], "title": title}, headers=editor
    )
    assert unprocessable(response) == ["title"]
    assert unprocessable(await patch(client, editor, interview, {"title": title})) == ["title"]
    assert await fetch(client, editor, interview) == interview
    assert len((await client.get(f"{BASE}/", headers=editor)).json()["items"]) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tags": ["fine", "\u202e"]}, "tags[1]"),
        ({"image": {"url": "https://img.example/a.jpg", "alt": "\u0001", **IMAGE_SIZE}},
         "image.alt"),
        ({"body": [{"type": "paragraph", "text": "\u0007"}]}, "body[0].text"),
        ({"body": [{"type": "paragraph", "text": "ok"}, {"type": "heading", "text": "\u202e"}]},
         "body[1].text"),
        ({"body": [{"type": "paragraph", "text": "\u2066\u200b\u2069"}]}, "body[0].text"),
    ],
)  # fmt: skip
async def test_nested_text_empty_once_normalised_is_422_naming_it(
    client: Client, editor: Headers, interview: Json, changes: Json, field: str
) -> None:
    assert unprocessable(await patch(client, editor, interview, changes)) == [field]
    assert await fetch(client, editor, interview) == interview


async def test_part_texts_empty_once_normalised_are_422(
    client: Client, editor: Headers, interview: Json, people: tuple[Json, Json]
) -> None:
    url = f"{BASE}/{interview['id']}"
    quote = {"text": "\u202e\u0001", "speaker_id": people[1]["id"]}
    assert unprocessable(await client.post(f"{url}/pull-quotes", json=quote, headers=editor)) == [
        "text"
    ]
    teaser = {"text": "\u0001\u202e"}
    assert unprocessable(await client.put(f"{url}/teasers/card", json=teaser, headers=editor)) == [
        "text"
    ]
    assert await fetch(client, editor, interview) == interview


async def test_create_and_quote_update_check_normalised_text_too(
    client: Client, editor: Headers, series: Json, interview: Json, people: tuple[Json, Json]
) -> None:
    draft = {"series_id": series["id"], "title": "T"}
    image = {"url": "https://img.example/a", "alt": "\ufffe", **IMAGE_SIZE}
    cases: list[tuple[Json, str]] = [
        ({"tags": ["\u2066\u2069"]}, "tags[0]"),
        ({"image": image}, "image.alt"),
        ({"body": [{"type": "paragraph", "text": "\u202e"}]}, "body[0].text"),
    ]
    for extra, field in cases:
        response = await client.post(f"{BASE}/", json={**draft, **extra}, headers=editor)
        assert unprocessable(response) == [field]
    url = f"{BASE}/{interview['id']}/pull-quotes"
    quote = {"text": "My experience", "speaker_id": people[1]["id"], "block_id": "visit"}
    [stored] = ok(await client.post(url, json=quote, headers=editor), 201)["pull_quotes"]
    response = await client.patch(f"{url}/{stored['id']}", json={"text": "\u0001"}, headers=editor)
    assert unprocessable(response) == ["text"]
    assert (await fetch(client, editor, interview))["pull_quotes"] == [stored]


# --- slugs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["a-\ufffe-b", "\u202eevil", "evil\u2069", "zero\u200bwidth"])
async def test_a_given_slug_with_invisible_characters_is_refused_not_changed(
    client: Client, editor: Headers, series: Json, interview: Json, slug: str
) -> None:
    response = await client.post(
        f"{BASE}/", json={"series_id": series["id"], "title": "T", "slug": slug}, headers=editor
    )
    assert unprocessable(response) == ["slug"]
    assert unprocessable(await patch(client, editor, interview, {"slug": slug})) == ["slug"]
    assert await fetch(client, editor, interview) == interview


async def test_a_slug_made_from_a_title_has_no_invisible_characters(
    client: Client, editor: Headers, series: Json
) -> None:
    title = f"Evil{BIDI} title\u200d with\u200b joiners{NONCHARACTERS}"
    created = ok(
        await client.post(
            f"{BASE}/", json={"series_id": series["id"], "title": title}, headers=editor
        ),
        201,
    )
    assert created["title"] == "Evil title\u200d with\u200b joiners"
    assert created["slug"] == "evil-title-with-joiners"


async def test_a_decomposed_slug_is_stored_composed(
    client: Client, editor: Headers, interview: Json
) -> None:
    patched = ok(await patch(client, editor, interview, {"slug": "cafe\u0301-crème"}))
    assert patched["slug"] == "café-crème"


# --- what is stored ------------------------------------------------------------------------


async def test_text_is_stored_normalised(client: Client, editor: Headers, interview: Json) -> None:
    changes = {
        "title": f"  Zu\u0308rich{BIDI} \u0001interview{NONCHARACTERS} ",
        "standfirst": f"Line one\r\nline two\rline three\u0085\u0007 \u202b{ARABIC}\u202c",
        "tags": ["\u202eliam\u202c", "Zu\u0308rich"],
        "image": {
            "url": "https://img.example/a.jpg",
            "alt": "Cafe\u0301",
            "credit": "A\u202e",
            **IMAGE_SIZE,
        },
    }
    patched = ok(await patch(client, editor, interview, changes))
    assert patched["title"] == "Zürich interview"
    # Bidi controls have their place in prose: they are kept in the standfirst.
    assert patched["standfirst"] == f"Line one\nline two\nline three \u202b{ARABIC}\u202c"
    assert patched["tags"] == ["liam", "Zürich"]
    assert patched["image"]["alt"] == "Café"
    assert patched["image"]["credit"] == "A"


async def test_body_text_is_stored_normalised(
    client: Client, editor: Headers, interview: Json
) -> None:
    body = [{"type": "paragraph", "text": f"Cafe\u0301\r\nbar\u0001{NONCHARACTERS}"}]
    patched = ok(await patch(client, editor, interview, {"body": body}))
    assert patched["body"][0]["text"] == "Café\nbar"


@pytest.mark.parametrize(
    "href", ["//evil.example/x", "/relative", "relative", "#top", "https:evil", "data:text/html,x"]
)
async def test_body_links_that_are_not_absolute_are_dropped_keeping_their_text(
    client: Client, editor: Headers, interview: Json, href: str
) -> None:
    text = (
        f'See <a href="{href}">this <em>page</em></a> and <a href="https://ok.example/">that</a>.'
    )
    patched = ok(
        await patch(client, editor, interview, {"body": [{"type": "paragraph", "text": text}]})
    )
    assert patched["body"][0]["text"] == (
        "See this <em>page</em> and "
        '<a href="https://ok.example/" rel="noopener noreferrer">that</a>.'
    )


async def test_mailto_and_http_links_are_kept(
    client: Client, editor: Headers, interview: Json
) -> None:
    text = '<a href="mailto:desk@news.example">Write</a> or <a href="http://x.example/a?b=1&amp;c=2">read</a>'
    patched = ok(
        await patch(client, editor, interview, {"body": [{"type": "paragraph", "text": text}]})
    )
    assert patched["body"][0]["text"] == (
        '<a href="mailto:desk@news.example" rel="noopener noreferrer">Write</a> or '
        '<a href="http://x.example/a?b=1&amp;c=2" rel="noopener noreferrer">read</a>'
    )
