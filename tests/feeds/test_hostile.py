"""Text that could break a feed: markup, CDATA ends, entities, quotes, emoji, RTL, controls."""

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape, unescape
from typing import Any

import asyncpg
import pytest

from tests.factories import Client, Json
from tests.feeds import BASE, FORMATS, NS, get_feed, parsed, urn, xml
from tests.feeds.test_feeds import check_json_feed
from tests.helpers import publish

CONTROLS = "\u0001\u000b\u001f\u007f"
HOSTILE = (
    '<script>alert("pwned")</script> ]]> & &amp; "double" \'single\' '
    "😀🇪🇪 שלום עולם مرحبا \u202eevil\u202c"
)
IMAGE_URL = "https://img.example/a.jpg?x=1&y=\"<q>'&z=]]>"
SCRIPT = re.compile(r"<\s*script", re.IGNORECASE)


async def post_raw(client: Client, headers: dict[str, str], path: str, body: Json) -> Json:
    """POST `body` as JSON with every non-ASCII and control character written as an escape."""
    payload = json.dumps(body, ensure_ascii=True)
    assert "\\u0001" in payload and "\\u000b" in payload
    response = await client.post(
        path, content=payload, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    result: Json = response.json()
    return result


@dataclass
class Hostile:
    series: Json
    interviewer: Json
    interviewee: Json
    interview: Json
    teaser: str

    @property
    def scopes(self) -> dict[str, str]:
        """Feed scope -> the feed's title."""
        return {
            "all": "Colloquy",
            f"series/{self.series['slug']}": f"{self.series['title']} – Colloquy",
            f"people/{self.interviewer['slug']}": f"{self.interviewer['name']} – Colloquy",
            f"people/{self.interviewee['slug']}": f"{self.interviewee['name']} – Colloquy",
        }


@pytest.fixture
async def hostile(client: Client, editor: dict[str, str]) -> Hostile:
    series = await post_raw(
        client,
        editor,
        "/admin/v1/series",
        {"title": f"Series {HOSTILE}{CONTROLS}", "visibility": "public"},
    )
    interviewer = await post_raw(
        client,
        editor,
        "/admin/v1/people",
        {"name": f'Zoë <script>alert(1)</script> & "Q" ]]> 🎙️{CONTROLS} O\'Brien'},
    )
    interviewee = await post_raw(
        client, editor, "/admin/v1/people", {"name": f"مريم <b>bold</b>{CONTROLS} & 'x' ]]> 🇪🇪"}
    )
    body = {
        "series_id": series["id"],
        "title": f"{HOSTILE} {CONTROLS}end",
        "tags": ["R&D", "]]>", '"quoted" <i>it</i>', "emoji 😀", f"עברית{CONTROLS}"],
        "image": {
            "url": IMAGE_URL,
            "alt": f"Alt {HOSTILE}{CONTROLS}",
            "credit": f"Credit ]]> & <b>{CONTROLS}</b>",
            "width": 1200,
            "height": 800,
        },
        "participants": [
            {"person_id": interviewer["id"], "role": "interviewer"},
            {"person_id": interviewee["id"], "role": "interviewee"},
        ],
        "body": [
            {
                "type": "question",
                "speaker_id": interviewer["id"],
                "text": f"Why {HOSTILE}? <img src=x onerror=alert(1)> "
                f'<a href="javascript:alert(1)">click</a>{CONTROLS}',
            },
            {
                "type": "answer",
                "speaker_id": interviewee["id"],
                "text": f"Because <script>alert(2)</script> & ]]> <em>ok</em> 😀{CONTROLS}",
            },
        ],
    }
    interview = await post_raw(client, editor, "/admin/v1/interviews", body)
    response = await client.put(
        f"/admin/v1/interviews/{interview['id']}/teasers/card",
        content=json.dumps({"text": f"{HOSTILE}{CONTROLS} teaser"}),
        headers={**editor, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    teaser = response.json()["teasers"]["card"]
    interview = await publish(client, editor, interview)
    for text in (series["title"], interviewer["name"], interview["title"], teaser):
        assert not any(char in text for char in CONTROLS)
    return Hostile(series, interviewer, interviewee, interview, teaser)


def no_script_markup(root: ET.Element, raw: bytes) -> None:
    assert not SCRIPT.search(raw.decode()), "no <script> tag anywhere in the document"
    assert all(element.tag.rpartition("}")[2] != "script" for element in root.iter())


def check_html(html: str, hostile: Hostile) -> None:
    """The item's content HTML: sanitised, with the speakers' names escaped."""
    assert not SCRIPT.search(html)
    assert "onerror" not in html
    assert "javascript:" not in html
    assert f"<strong>{escape(hostile.interviewer['name'])}:</strong>" in html
    assert f"<strong>{escape(hostile.interviewee['name'])}:</strong>" in html
    assert "<em>ok</em>" in html
    assert "😀" in html


def check_item(item: ET.Element, hostile: Hostile, title_tag: str) -> None:
    media = item.find("media:content", NS)
    assert media is not None
    assert media.get("url") == IMAGE_URL
    assert media.findtext("media:description", None, NS) == hostile.interview["image"]["alt"]
    assert media.findtext("media:credit", None, NS) == hostile.interview["image"]["credit"]
    people = [(p.get("role"), p.text) for p in item.findall("podcast:person", NS)]
    assert people == [
        ("host", hostile.interviewer["name"]),
        ("guest", hostile.interviewee["name"]),
    ]
    assert item.findtext(title_tag, None, NS) == hostile.interview["title"]


@pytest.mark.parametrize("ending", FORMATS)
async def test_hostile_text_keeps_feeds_valid(
    client: Client, hostile: Hostile, ending: str
) -> None:
    interview = hostile.interview
    categories = [hostile.series["title"], *interview["tags"]]
    assert "R&D" in categories and "]]>" in categories
    for scope, title in hostile.scopes.items():
        response = await get_feed(client, f"/feeds/{scope}.{ending}")
        if ending == "json":
            document = response.json()
            check_json_feed(document)
            assert document["title"] == title
            (item,) = document["items"]
            assert item["id"] == urn(interview)
            assert item["title"] == interview["title"]
            assert item["url"] == f"{BASE}/interviews/{interview['slug']}"
            assert item["summary"] == hostile.teaser
            assert item["tags"] == categories
            assert item["authors"][0]["name"] == hostile.interviewer["name"]
            assert item["image"] == IMAGE_URL
            check_html(item["content_html"], hostile)
            continue

        root = xml(response)
        no_script_markup(root, response.content)
        feed = parsed(response)
        (entry,) = feed.entries
        assert entry.id == urn(interview)
        assert entry.link == f"{BASE}/interviews/{interview['slug']}"
        if ending == "rss":
            channel = root.find("channel")
            assert channel is not None
            assert channel.findtext("title") == title
            (item_xml,) = channel.findall("item")
            check_item(item_xml, hostile, "title")
            # HTML by contract: the plain-text teaser escaped once more, so readers show it.
            description = item_xml.findtext("description", "")
            assert "<" not in description and unescape(description) == hostile.teaser
            assert item_xml.findtext("dc:creator", None, NS) == hostile.interviewer["name"]
            assert [c.text for c in item_xml.findall("category")] == categories
            check_html(item_xml.findtext("content:encoded", "", NS), hostile)
        else:
            assert root.findtext("atom:title", None, NS) == title
            assert feed.feed.title == title
            assert entry.title == interview["title"]
            assert entry.summary == hostile.teaser
            (entry_xml,) = root.findall("atom:entry", NS)
            check_item(entry_xml, hostile, "atom:title")
            assert entry_xml.findtext("atom:summary", None, NS) == hostile.teaser
            assert [a.text for a in entry_xml.findall("atom:author/atom:name", NS)] == [
                hostile.interviewer["name"]
            ]
            terms = [c.get("term") for c in entry_xml.findall("atom:category", NS)]
            assert terms == categories
            check_html(entry_xml.findtext("atom:content", "", NS), hostile)


# Text written into the database by other means than the API (a migration, a console) may
# still hold what XML cannot carry; the feeds must not break on it.
DB_CONTROLS = "\u0001\u0008\u000b\u000c\u001b\u007f\ufffe\uffff"


@pytest.mark.parametrize("ending", FORMATS)
async def test_control_characters_written_in_the_database_are_dropped(
    client: Client, hostile: Hostile, db: asyncpg.Connection, ending: str
) -> None:
    interview_id = hostile.interview["id"]
    body: list[dict[str, Any]] = hostile.interview["body"]
    body[1] = {**body[1], "text": f"Tainted{DB_CONTROLS} answer"}
    await db.execute(
        "UPDATE interviews SET title = $2, tags = $3, body = $4 WHERE id = $1::uuid",
        interview_id,
        f"Tainted{DB_CONTROLS} title",
        [f"tag{DB_CONTROLS}"],
        body,
    )
    await db.execute(
        "UPDATE teasers SET text = $2 WHERE interview_id = $1::uuid",
        interview_id,
        f"Tainted{DB_CONTROLS} teaser",
    )
    await db.execute(
        "UPDATE people SET name = $2 WHERE id = $1::uuid",
        hostile.interviewer["id"],
        f"Tainted{DB_CONTROLS} name",
    )
    response = await get_feed(client, f"/feeds/all.{ending}")
    if ending == "json":  # JSON can carry any character; it must still be a valid feed
        document = response.json()
        check_json_feed(document)
        (item,) = document["items"]
        assert item["title"] == "Tainted title"
        assert item["summary"] == "Tainted teaser"
        return
    assert not any(char in response.text for char in DB_CONTROLS)
    xml(response)
    (entry,) = parsed(response).entries
    assert entry.title == "Tainted title"
    assert entry.summary == "Tainted teaser"
    assert entry.author == "Tainted name"
    assert "Tainted answer" in entry.content[0].value
