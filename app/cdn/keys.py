"""Surrogate keys: what a public response shows, named so that a change purges from a CDN
exactly the responses that show what changed.

A response's keys are gathered while it is rendered: the public queries note each interview row
they return (`interview:<id>`, its `series:<id>` and each `person:<id>`, since a card shows their
names) and each subject they look up (a series, a person, a tag, whose page lists its members),
and the route adds the lists it belongs to (`ROUTE_KEYS`). So no route states its keys, and a
new query of public rows is keyed without a word. The cache keeps them with the entry: a hit
answers with headers made once.

A change purges the keys of what it touched: an interview its own key, its series', people's
and tags' (the lists it may have joined; those it left showed it, and so carry its key), and
`LISTS`, which hold or count every public interview. Series, people and the editors' choice are
purged by triggers (migration 0014).
"""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote
from uuid import UUID

from app.asgi import Headers

# The lists that every public interview's change may alter: they list it among all the others
# (the front page, the site feed, search, the newsletter, the sitemaps) or count it (the people
# and tag indexes).
LISTS = (
    "frontpage",
    "feed:all",
    "interviews",
    "search",
    "newsletter",
    "sitemaps",
    "people",
    "tags",
)
# The lists each route is, by its template; the routes not here are about one subject (an
# interview, a series, a person, a tag), which its queries note.
ROUTE_KEYS = {
    "/content/v1/frontpage": ("frontpage",),
    "/content/v1/newsletter": ("newsletter",),
    "/content/v1/interviews": ("interviews",),
    "/content/v1/series": ("series",),
    "/content/v1/people": ("people",),
    "/content/v1/tags": ("tags",),
    "/content/v1/search": ("search",),
    "/feeds/{file}": ("feed:all",),
    "/sitemaps/index.xml": ("sitemaps",),
    "/sitemaps/{file}": ("sitemaps",),
    "/sitemaps/series.xml": ("sitemaps",),
    "/sitemaps/people.xml": ("sitemaps",),
    "/sitemaps/news.xml": ("sitemaps",),
}
# A response that shows more than fits in a header (Fastly and Cloudflare take 16 KB) is keyed
# `all` with its lists instead, and every purge purges `all` too: a change anywhere may reach it.
ALL = "all"
MAX_HEADER_BYTES = 16_000

_shown: ContextVar[set[str] | None] = ContextVar("colloquy_shown_keys", default=None)


def interview_key(interview_id: UUID) -> str:
    return f"interview:{interview_id}"


def series_key(series_id: UUID) -> str:
    return f"series:{series_id}"


def person_key(person_id: UUID) -> str:
    return f"person:{person_id}"


def tag_key(tag: str) -> str:
    """Tags may hold spaces, commas and any letter; keys may not (Cache-Tag is comma-separated,
    Surrogate-Key space-separated and printable ASCII)."""
    return "tag:" + quote(tag, safe="")


def shown(*keys: str) -> None:
    """Note keys of what the response being rendered shows; outside a rendering, nothing."""
    gathered = _shown.get()
    if gathered is not None:
        gathered.update(keys)


@contextmanager
def gathering() -> Iterator[set[str]]:
    """The keys noted while the block runs (it renders one response)."""
    gathered: set[str] = set()
    token = _shown.set(gathered)
    try:
        yield gathered
    finally:
        _shown.reset(token)


def key_headers(route: str | None, gathered: Collection[str]) -> Headers:
    """`Surrogate-Key` (Fastly, Varnish's xkey) and `Cache-Tag` (Cloudflare) for a response."""
    keys = sorted({*ROUTE_KEYS.get(route or "", ()), *gathered})
    if not keys or sum(len(key) + 1 for key in keys) > MAX_HEADER_BYTES:
        keys = sorted({*ROUTE_KEYS.get(route or "", ()), ALL})
    return [
        (b"surrogate-key", " ".join(keys).encode()),
        (b"cache-tag", ",".join(keys).encode()),
    ]
