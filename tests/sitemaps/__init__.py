"""Tests of the sitemaps, and the helpers they share: fetching a sitemap, checking it against
the published XML schemas (vendored in schemas/, so that no test needs the internet), and
reading what it lists."""

from pathlib import Path

import httpx
from lxml import etree

from tests.factories import Client

BASE = "https://news.example"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP, "image": IMAGE, "news": NEWS}
SCHEMAS = Path(__file__).parent / "schemas"


def _urlset_schema() -> etree.XMLSchema:
    """sitemap.xsd with the image and news extensions its <url> may carry (each extension
    element is checked strictly, so their schemas must be known)."""
    imports = "".join(
        f'<xsd:import namespace="{namespace}" schemaLocation="{(SCHEMAS / file).as_uri()}"/>'
        for namespace, file in (
            (SITEMAP, "sitemap.xsd"),
            (IMAGE, "sitemap-image.xsd"),
            (NEWS, "sitemap-news.xsd"),
        )
    )
    wrapper = f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{imports}</xsd:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper))


URLSET_SCHEMA = _urlset_schema()
INDEX_SCHEMA = etree.XMLSchema(etree.parse(SCHEMAS / "siteindex.xsd"))


def valid(response: httpx.Response) -> etree._Element:
    """The sitemap, after checking it is a 200 of XML that its schema (sitemap index, or
    urlset with the image and news extensions) accepts."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == "application/xml"
    root = etree.fromstring(response.content)
    schema = INDEX_SCHEMA if root.tag == f"{{{SITEMAP}}}sitemapindex" else URLSET_SCHEMA
    assert schema.validate(root), schema.error_log
    return root


async def sitemap(client: Client, name: str) -> etree._Element:
    """/sitemaps/{name}, valid."""
    return valid(await client.get(f"/sitemaps/{name}"))


def locs(root: etree._Element) -> list[str]:
    """The URLs a sitemap (or the sitemaps an index) lists, in document order."""
    return [str(loc.text) for loc in root.findall("*/s:loc", NS)]


def lastmods(root: etree._Element) -> dict[str, str | None]:
    """loc -> lastmod (None where it has none)."""
    return {
        str(entry.findtext("s:loc", namespaces=NS)): entry.findtext("s:lastmod", namespaces=NS)
        for entry in root
    }
