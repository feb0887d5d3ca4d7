"""Plain text stays text in every feed: a reader shows the characters an editor typed.

RSS `<description>` and `<content:encoded>`, Atom `type="html"` and JSON Feed `content_html`
are HTML; the rest is plain text. An editor quoting HTML (`<img src=x onerror=alert(1)>`)
must see those characters in a reader, never an image that runs a script.
"""

from html.parser import HTMLParser
from typing import Any

import pytest

from tests.factories import Client, Json, make_interview, make_person, make_series
from tests.feeds import NS, get_feed, parsed, xml
from tests.helpers import publish

QUOTED_HTML = "<img src=x onerror=alert(1)>"


class Reading(HTMLParser):
    """What a browser makes of an HTML fragment: its elements and the text it shows."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[str] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


async def published(client: Client, editor: dict[str, str], answer: str, **fields: Any) -> Json:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    body = [{"type": "answer", "speaker_id": murad["id"], "text": answer}]
    interview = await make_interview(client, editor, series, lauri, murad, body=body, **fields)
    return await publish(client, editor, interview)


async def set_card_teaser(
    client: Client, editor: dict[str, str], interview: Json, text: str
) -> None:
    response = await client.put(
        f"/admin/v1/interviews/{interview['id']}/teasers/card", json={"text": text}, headers=editor
    )
    assert response.status_code == 200, response.text


def assert_shown_as_text(html: str, text: str) -> None:
    reading = Reading(html)
    assert "img" not in reading.elements, html
    assert text in reading.text, html


async def summaries(client: Client) -> dict[str, str]:
    """The item summary of each format, as that format's reader gets it."""
    rss = await get_feed(client, "/feeds/all.rss")
    atom = await get_feed(client, "/feeds/all.atom")
    json_feed = (await get_feed(client, "/feeds/all.json")).json()
    (rss_entry,) = parsed(rss).entries
    (atom_entry,) = parsed(atom).entries
    assert rss_entry.summary_detail.type == "text/html"
    assert atom_entry.summary_detail.type == "text/plain"
    return {
        "rss": rss_entry.summary,
        "rss-raw": xml(rss).findtext("channel/item/description", ""),
        "atom": atom_entry.summary,
        "json": json_feed["items"][0]["summary"],
    }


async def test_quoted_html_in_an_answer_is_text_in_every_summary(
    client: Client, editor: dict[str, str]
) -> None:
    """The excerpt of `&lt;img ...&gt;` is the text `<img ...>`; RSS, HTML by contract,
    must escape it, or every reader decodes it once into a live image."""
    await published(client, editor, "He wrote &lt;img src=x onerror=alert(1)&gt; to test us.")
    found = await summaries(client)
    assert_shown_as_text(found["rss"], QUOTED_HTML)
    assert_shown_as_text(found["rss-raw"], QUOTED_HTML)
    assert QUOTED_HTML in found["atom"]
    assert QUOTED_HTML in found["json"]


async def test_a_teaser_typed_as_html_is_text_in_every_summary(
    client: Client, editor: dict[str, str]
) -> None:
    interview = await published(client, editor, "An answer.")
    await set_card_teaser(client, editor, interview, f"Look: {QUOTED_HTML} &amp; more")
    found = await summaries(client)
    assert_shown_as_text(found["rss"], f"Look: {QUOTED_HTML} &amp; more")
    assert found["atom"] == found["json"] == f"Look: {QUOTED_HTML} &amp; more"


@pytest.mark.parametrize("ending", ["rss", "atom", "json"])
async def test_quoted_html_in_the_body_html_stays_text(
    client: Client, editor: dict[str, str], ending: str
) -> None:
    """Content HTML carries the body's entities as entities, and the names escaped."""
    await published(client, editor, "He wrote &lt;img src=x onerror=alert(1)&gt; to test us.")
    response = await get_feed(client, f"/feeds/all.{ending}")
    if ending == "json":
        html = response.json()["items"][0]["content_html"]
    elif ending == "rss":
        html = xml(response).findtext("channel/item/content:encoded", "", NS)
    else:
        html = xml(response).findtext("atom:entry/atom:content", "", NS)
    assert_shown_as_text(html, QUOTED_HTML)
    if ending != "json":
        (entry,) = parsed(response).entries
        assert_shown_as_text(entry.content[0].value, QUOTED_HTML)


async def test_the_standfirst_is_the_summary_without_a_teaser_and_stays_text(
    client: Client, editor: dict[str, str]
) -> None:
    """Without a card teaser the standfirst, plain text as stored, is each item's summary."""
    standfirst = f"Quoting {QUOTED_HTML} & co, before the answer."
    await published(client, editor, "An answer that is not the summary.", standfirst=standfirst)
    found = await summaries(client)
    assert_shown_as_text(found["rss"], standfirst)
    assert_shown_as_text(found["rss-raw"], standfirst)
    assert found["atom"] == found["json"] == standfirst


async def test_a_teaser_comes_before_the_standfirst(client: Client, editor: dict[str, str]) -> None:
    interview = await published(client, editor, "An answer.", standfirst="The standfirst.")
    await set_card_teaser(client, editor, interview, "The teaser.")
    found = await summaries(client)
    assert found["atom"] == found["json"] == "The teaser."
