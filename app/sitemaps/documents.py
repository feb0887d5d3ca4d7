"""Sitemaps as XML (https://www.sitemaps.org/protocol.html), with Google's image and news
extensions.

URLs are percent-encoded where they are not ASCII (a slug may be any language's letters): the
protocol asks for URLs as RFC 3986 writes them. Text is escaped and stripped of what XML cannot
carry. An empty sitemap is an empty <urlset>: the XSD asks for at least one <url>, but a
sitemap with nothing in it yet (no news in the last two days) is one that crawlers accept, and
better than a sitemap that comes and goes.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

import msgspec

from app.sitemaps.queries import NewsItem
from app.text import strip_controls

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
# Reserved characters and '%' stay as they are: only what is not ASCII is encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


class Location(msgspec.Struct, kw_only=True):
    """A page in a sitemap, or a sitemap in the index."""

    loc: str
    lastmod: datetime | None = None
    image_url: str | None = None


def _text(text: str) -> str:
    return escape(strip_controls(text))


def _url(url: str) -> str:
    return _text(quote(url, safe=_URL_SAFE))


def _time(when: datetime) -> str:
    """W3C Datetime, to the second, in UTC."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lastmod(entry: Location) -> str:
    return "" if entry.lastmod is None else f"<lastmod>{_time(entry.lastmod)}</lastmod>"


def _image(entry: Location) -> str:
    if entry.image_url is None:
        return ""
    return f"<image:image><image:loc>{_url(entry.image_url)}</image:loc></image:image>"


def _document(root: str, extensions: str, children: str) -> bytes:
    """The XML document of a `root` element in the sitemap namespace, `extensions` declaring
    the namespaces of the extensions it uses."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="{SITEMAP}"{extensions}>\n{children}</{root}>\n'
    ).encode()


def urlset(entries: Iterable[Location]) -> bytes:
    urls = "".join(
        f"<url><loc>{_url(entry.loc)}</loc>{_lastmod(entry)}{_image(entry)}</url>\n"
        for entry in entries
    )
    return _document("urlset", f' xmlns:image="{IMAGE}"', urls)


def sitemap_index(sitemaps: Iterable[Location]) -> bytes:
    listed = "".join(
        f"<sitemap><loc>{_url(entry.loc)}</loc>{_lastmod(entry)}</sitemap>\n" for entry in sitemaps
    )
    return _document("sitemapindex", "", listed)


def news_language(language: str) -> str:
    """The publication's language as Google News takes it: an ISO 639 code (the primary
    subtag of COLLOQUY_SITE_LANGUAGE), except for Chinese, which is zh-cn or zh-tw."""
    primary, _, region = language.lower().replace("_", "-").partition("-")
    if primary != "zh":
        return primary
    return "zh-tw" if region.startswith(("tw", "hk", "mo", "hant")) else "zh-cn"


def news_urlset(items: Iterable[tuple[str, NewsItem]], name: str, language: str) -> bytes:
    """A Google News sitemap of (page URL, interview) pairs, published by `name` in
    `language`."""
    publication = (
        f"<news:publication><news:name>{_text(name)}</news:name>"
        f"<news:language>{_text(news_language(language))}</news:language></news:publication>"
    )
    urls = "".join(
        f"<url><loc>{_url(loc)}</loc><news:news>{publication}"
        f"<news:publication_date>{_time(item.published_at)}</news:publication_date>"
        f"<news:title>{_text(item.title)}</news:title></news:news></url>\n"
        for loc, item in items
    )
    return _document("urlset", f' xmlns:news="{NEWS}"', urls)
