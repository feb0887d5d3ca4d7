"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one description of a feed page.

Text from editors is escaped and stripped of characters XML cannot carry, so no title or
body can break a feed; the body HTML was sanitised when it was written. Summaries, titles,
names and tags are plain text: where a format says an element holds HTML (RSS `<description>`)
the text is escaped as HTML first, or a reader would turn a quoted `<img ...>` into an image.
"""

from datetime import datetime
from email.utils import format_datetime
from html import escape as escape_html
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import msgspec

from app.content.cards import summary
from app.content.queries import PublicRow
from app.images import media_type
from app.interviews.render import body_html
from app.site import Site
from app.text import strip_controls


class FeedPage(msgspec.Struct, kw_only=True):
    """One page of a feed, whatever its format."""

    title: str
    description: str
    home_url: str  # the site page the feed mirrors
    self_url: str
    first_url: str
    next_url: str | None
    previous_url: str | None
    hub_url: str | None
    site_title: str
    language: str
    items: list[PublicRow]
    updated: datetime


def _x(text: str) -> str:
    return escape(strip_controls(text))


def _a(text: str) -> str:
    return quoteattr(strip_controls(text))


def item_updated(row: PublicRow) -> datetime:
    return max(row.updated_at, row.published_at)


def _html(row: PublicRow) -> str:
    return body_html(row.body, {p.id: p.name for p in row.participants})


def _people(row: PublicRow, site: Site) -> str:
    """Podcasting 2.0 <podcast:person>: the interviewer hosts, the interviewee is the guest."""
    roles = {"interviewer": "host", "interviewee": "guest"}
    return "".join(
        f"<podcast:person role={_a(roles[p.role])} href={_a(site.person(p.slug))}>"
        f"{_x(p.name)}</podcast:person>"
        for p in row.participants
    )


def _media(row: PublicRow) -> str:
    """Media RSS: the image with its size where it is known, its alt as the description (none for
    a decorative image) and its credit."""
    image = row.image
    if image is None:
        return ""
    size = ""
    if image.width is not None and image.height is not None:
        size = f' width="{image.width}" height="{image.height}"'
    alt = ""
    if image.alt:
        alt = f'<media:description type="plain">{_x(image.alt)}</media:description>'
    credit = f"<media:credit>{_x(image.credit)}</media:credit>" if image.credit else ""
    return f'<media:content url={_a(image.url)} medium="image"{size}>{alt}{credit}</media:content>'


def _enclosure(row: PublicRow) -> str:
    """RSS's own enclosure, for readers without Media RSS. Its length in bytes is unknown, which
    the RSS Advisory Board's profile says to give as 0; its type is told by the URL."""
    if row.image is None:
        return ""
    url, kind = _a(row.image.url), _a(media_type(row.image.url))
    return f'<enclosure url={url} length="0" type={kind}/>'


def _paging(feed: FeedPage) -> list[tuple[str, str]]:
    """The (rel, url) of the pages around this one (RFC 5005): the first, unless this is it,
    and the next and previous where there are any."""
    around = [("first", feed.first_url), ("next", feed.next_url), ("previous", feed.previous_url)]
    return [(rel, url) for rel, url in around if url and (rel != "first" or url != feed.self_url)]


NAMESPACES = (
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:podcast="https://podcastindex.org/namespace/1.0"'
)


def rss(feed: FeedPage, site: Site) -> bytes:
    links = [f'<atom:link href={_a(feed.self_url)} rel="self" type="application/rss+xml"/>']
    links += [
        f'<atom:link href={_a(url)} rel="{rel}" type="application/rss+xml"/>'
        for rel, url in _paging(feed)
    ]
    if feed.hub_url:
        links.append(f'<atom:link href={_a(feed.hub_url)} rel="hub"/>')
    items = []
    for row in feed.items:
        interviewers = [p.name for p in row.participants if p.role == "interviewer"]
        categories = [row.series_title, *row.tags]
        items.append(
            "<item>"
            f"<title>{_x(row.title)}</title>"
            f"<link>{_x(site.interview(row.slug))}</link>"
            f'<guid isPermaLink="false">urn:uuid:{row.id}</guid>'
            f"<pubDate>{format_datetime(row.published_at, usegmt=True)}</pubDate>"
            f"<description>{_x(escape_html(summary(row)))}</description>"
            f"<content:encoded>{_x(_html(row))}</content:encoded>"
            + "".join(f"<dc:creator>{_x(name)}</dc:creator>" for name in interviewers)
            + "".join(f"<category>{_x(c)}</category>" for c in categories)
            + _enclosure(row)
            + _media(row)
            + _people(row, site)
            + "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" {NAMESPACES}>'
        "<channel>"
        f"<title>{_x(feed.title)}</title>"
        f"<link>{_x(feed.home_url)}</link>"
        f"<description>{_x(escape_html(feed.description))}</description>"
        f"<language>{_x(feed.language)}</language>"
        f"<lastBuildDate>{format_datetime(feed.updated, usegmt=True)}</lastBuildDate>"
        "<docs>https://www.rssboard.org/rss-specification</docs>"
        + _channel_image(feed, site)
        + "".join(links)
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def _channel_image(feed: FeedPage, site: Site) -> str:
    """RSS's channel image: the site's image, titled and linked as the channel is."""
    if site.image is None:
        return ""
    return (
        f"<image><url>{_x(site.image)}</url><title>{_x(feed.title)}</title>"
        f"<link>{_x(feed.home_url)}</link></image>"
    )


def atom(feed: FeedPage, site: Site) -> bytes:
    links = [
        f'<link rel="self" type="application/atom+xml" href={_a(feed.self_url)}/>',
        f'<link rel="alternate" type="text/html" href={_a(feed.home_url)}/>',
    ]
    links += [
        f'<link rel="{rel}" type="application/atom+xml" href={_a(url)}/>'
        for rel, url in _paging(feed)
    ]
    if feed.hub_url:
        links.append(f'<link rel="hub" href={_a(feed.hub_url)}/>')
    entries = []
    for row in feed.items:
        authors = "".join(
            f"<author><name>{_x(p.name)}</name><uri>{_x(site.person(p.slug))}</uri></author>"
            for p in row.participants
            if p.role == "interviewer"
        )
        categories = "".join(f"<category term={_a(c)}/>" for c in [row.series_title, *row.tags])
        entries.append(
            "<entry>"
            f"<id>urn:uuid:{row.id}</id>"
            f"<title>{_x(row.title)}</title>"
            f'<link rel="alternate" type="text/html" href={_a(site.interview(row.slug))}/>'
            f"<published>{row.published_at.isoformat()}</published>"
            f"<updated>{item_updated(row).isoformat()}</updated>"
            f"{authors}"
            f'<summary type="text">{_x(summary(row))}</summary>'
            f'<content type="html">{_x(_html(row))}</content>'
            f"{categories}{_media(row)}{_people(row, site)}"
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={_a(feed.language)} {NAMESPACES}>'
        f"<id>{_x(feed.first_url)}</id>"
        f"<title>{_x(feed.title)}</title>"
        f"<subtitle>{_x(feed.description)}</subtitle>"
        f"<updated>{feed.updated.isoformat()}</updated>"
        f"<author><name>{_x(feed.site_title)}</name></author>"
        + (f"<logo>{_x(site.image)}</logo>" if site.image else "")
        + "".join(links)
        + "".join(entries)
        + "</feed>\n"
    ).encode()


def json_feed(feed: FeedPage, site: Site) -> bytes:
    document: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": strip_controls(feed.title),
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "description": strip_controls(feed.description),
        "language": feed.language,
        "authors": [{"name": strip_controls(feed.site_title)}],
        "items": [_json_item(row, site) for row in feed.items],
    }
    if site.image:
        document["icon"] = site.image
    if feed.next_url:
        document["next_url"] = feed.next_url
    if feed.hub_url:
        document["hubs"] = [{"type": "WebSub", "url": feed.hub_url}]
    return msgspec.json.encode(document)


def _json_item(row: PublicRow, site: Site) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"urn:uuid:{row.id}",
        "url": site.interview(row.slug),
        "title": strip_controls(row.title),
        "content_html": strip_controls(_html(row)),
        "summary": strip_controls(summary(row)),
        "date_published": row.published_at.isoformat(),
        "date_modified": item_updated(row).isoformat(),
        "tags": [strip_controls(tag) for tag in (row.series_title, *row.tags)],
    }
    authors = [
        {"name": strip_controls(p.name), "url": site.person(p.slug)}
        for p in row.participants
        if p.role == "interviewer"
    ]
    if authors:
        item["authors"] = authors
    if row.image:
        item["image"] = row.image.url
    return item
