"""Helpers for the feed tests: reading RSS, Atom and JSON Feed the way a reader would."""

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

import feedparser  # type: ignore[import-untyped]
import httpx

from tests.factories import Client, Json

BASE = "https://news.example"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
FORMATS = tuple(MEDIA_TYPES)


async def get_feed(client: Client, path: str) -> httpx.Response:
    """GET a feed (a path, or one of the feed's own absolute URLs) and check its media type."""
    if path.startswith(BASE):
        parts = urlsplit(path)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    response = await client.get(path)
    assert response.status_code == 200, response.text
    ending = urlsplit(path).path.rpartition(".")[2]
    media_type = response.headers["content-type"].split(";")[0].strip()
    assert media_type == MEDIA_TYPES[ending]
    return response


def parsed(response: httpx.Response) -> Any:
    """feedparser's reading of an RSS or Atom feed, which must be well-formed (bozo 0)."""
    result = feedparser.parse(response.content)
    assert result.bozo == 0, result.get("bozo_exception")
    return result


def xml(response: httpx.Response) -> ET.Element:
    return ET.fromstring(response.content)


def feed_links(response: httpx.Response, ending: str) -> dict[str, str]:
    """rel -> href of the feed-level links (RSS atom:link, Atom link, JSON Feed URLs)."""
    if ending == "json":
        document = response.json()
        names = {"self": "feed_url", "next": "next_url", "alternate": "home_page_url"}
        return {rel: document[key] for rel, key in names.items() if key in document}
    root = xml(response)
    found = (
        root.findall("channel/atom:link", NS) if ending == "rss" else root.findall("atom:link", NS)
    )
    links: dict[str, str] = {}
    for link in found:
        rel = link.get("rel", "alternate")
        assert rel not in links, f"two links with rel={rel}"
        links[rel] = link.get("href", "")
    return links


def item_ids(response: httpx.Response, ending: str) -> list[str]:
    """The ids of a feed's items, in document order."""
    if ending == "json":
        return [item["id"] for item in response.json()["items"]]
    root = xml(response)
    if ending == "rss":
        return [guid.text or "" for guid in root.findall("channel/item/guid")]
    return [entry.findtext("atom:id", "", NS) for entry in root.findall("atom:entry", NS)]


def urn(interview: Json) -> str:
    return f"urn:uuid:{interview['id']}"
