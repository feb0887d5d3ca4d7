"""Plain-text fields keep what the editor typed: no entity decoding, no tag stripping.

Only the body is inline HTML. Teasers, tags, titles, names, headlines, the standfirst, pull
quotes and image alt text are text: `&lt;script&gt;` stays those eleven characters and `<b>`
stays three, and every output that is HTML escapes them.
"""

import pytest

from tests.factories import (
    IMAGE_SIZE,
    Client,
    Headers,
    Json,
    make_interview,
    make_person,
    make_series,
)
from tests.helpers import ok

BASE = "/admin/v1/interviews"
TYPED = [
    "&lt;script&gt;",
    "&lt;/script&gt;&lt;svg onload=alert(1)&gt;",
    "<b>",
    "Fish &amp; chips <em>now</em>",
    "a < b && c > d",
]


@pytest.mark.parametrize("text", TYPED)
async def test_teaser_is_stored_as_typed(
    client: Client, editor: Headers, interview: Json, text: str
) -> None:
    url = f"{BASE}/{interview['id']}/teasers/card"
    updated = ok(await client.put(url, json={"text": text}, headers=editor))
    assert updated["teasers"] == {"card": text}


@pytest.mark.parametrize("text", TYPED)
async def test_tag_is_stored_as_typed_on_create_and_update(
    client: Client, editor: Headers, interview: Json, people: tuple[Json, Json], text: str
) -> None:
    series = await make_series(client, editor, title="Another series")
    created = await make_interview(client, editor, series, *people, tags=[text])
    assert created["tags"] == [text]
    patched = ok(
        await client.patch(f"{BASE}/{interview['id']}", json={"tags": [text]}, headers=editor)
    )
    assert patched["tags"] == [text]


@pytest.mark.parametrize("text", TYPED)
async def test_title_standfirst_and_alt_are_stored_as_typed(
    client: Client, editor: Headers, interview: Json, text: str
) -> None:
    image = {
        "url": "https://img.example/a.jpg",
        "alt": text,
        "decorative": False,
        "credit": text,
        "caption": text,
        **IMAGE_SIZE,
        "focal_point": None,
    }
    changes = {"title": text, "standfirst": text, "image": image}
    patched = ok(await client.patch(f"{BASE}/{interview['id']}", json=changes, headers=editor))
    assert {name: patched[name] for name in changes} == changes


@pytest.mark.parametrize("text", TYPED)
async def test_names_and_headlines_are_stored_as_typed(
    client: Client, editor: Headers, text: str
) -> None:
    person = await make_person(client, editor, text, headline=text, affiliation=text)
    assert (person["name"], person["headline"], person["affiliation"]) == (text, text, text)
    series = await make_series(client, editor, title=text, description=text)
    assert (series["title"], series["description"]) == (text, text)


async def test_pull_quote_is_text_matched_against_what_a_reader_sees(
    client: Client, editor: Headers, interview: Json, people: tuple[Json, Json]
) -> None:
    """The answer's HTML `a &lt; b` reads `a < b`; the quote is typed as it reads."""
    murad = people[1]
    question, answer = interview["body"]
    body = [question, {**answer, "text": "Mind that a &lt; b, <em>always</em>."}]
    ok(await client.patch(f"{BASE}/{interview['id']}", json={"body": body}, headers=editor))
    url = f"{BASE}/{interview['id']}/pull-quotes"
    quote = {"text": "a < b, always", "speaker_id": murad["id"], "block_id": "visit"}
    created = ok(await client.post(url, json=quote, headers=editor), 201)
    assert [q["text"] for q in created["pull_quotes"]] == ["a < b, always"]
    as_html = {**quote, "text": "a &lt; b"}
    response = await client.post(url, json=as_html, headers=editor)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["text"]


async def test_pull_quote_update_keeps_the_text_as_typed(
    client: Client, editor: Headers, interview: Json, people: tuple[Json, Json]
) -> None:
    url = f"{BASE}/{interview['id']}/pull-quotes"
    quote = {"text": "<b>not in the body</b>", "speaker_id": people[1]["id"], "block_id": None}
    created = ok(await client.post(url, json=quote, headers=editor), 201)
    [stored] = created["pull_quotes"]
    assert stored["text"] == "<b>not in the body</b>"
    patched = ok(
        await client.patch(f"{url}/{stored['id']}", json={"text": "&amp; so"}, headers=editor)
    )
    assert [q["text"] for q in patched["pull_quotes"]] == ["&amp; so"]
