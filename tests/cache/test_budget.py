"""The cache holds at most `cache_max_bytes`, however many different URLs are asked for.

Before, it kept up to 4,096 entries of any size, each with its identity, gzip and brotli
bodies: 40 anonymous requests for large feed pages grew a worker by 20 MB each.
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec
import pytest

from app.cache import PublicCache
from app.pagination import encode_cursor
from app.settings import Settings
from tests.cache import get, published_interviews
from tests.factories import Client

BUDGET = 1024 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, cache_max_bytes=BUDGET)


def feed_page(n: int) -> str:
    """The feed's first page under another URL: a cursor from after every publication."""
    after = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(seconds=n)
    return f"/feeds/all.rss?cursor={encode_cursor(after, UUID(int=0), False)}"


def stored_bodies(app: PublicCache) -> int:
    return sum(len(v.body) for entry in app.entries.values() for v in entry.variants.values())


async def test_many_large_pages_stay_within_the_budget(
    app: PublicCache, client: Client, editor: dict[str, str]
) -> None:
    await published_interviews(client, editor, 6, 5000)
    for n in range(40):
        response = await get(client, feed_page(n), {"Accept-Encoding": "br"})
        assert response.status_code == 200, response.text
        assert stored_bodies(app) <= BUDGET
    sizes = [entry.size for entry in app.entries.values()]
    assert min(sizes) > 50_000 and max(sizes) <= BUDGET // 8, "large entries, yet ones to keep"
    assert app.bytes == sum(sizes) <= BUDGET
    assert app.bytes > stored_bodies(app), "headers and keys are counted too"
    assert app.evictions == 40 - len(app.entries) > 20
    assert app.misses == 40


async def test_the_least_recently_used_entry_goes_first(
    app: PublicCache, client: Client, editor: dict[str, str]
) -> None:
    await published_interviews(client, editor, 6, 5000)
    await get(client, feed_page(0))
    await get(client, feed_page(1))
    for n in range(2, 40):
        await get(client, feed_page(0))  # asked for again and again: kept
        await get(client, feed_page(n))
    assert app.evictions > 0
    hits, misses = app.hits, app.misses
    await get(client, feed_page(0))
    assert (app.hits, app.misses) == (hits + 1, misses)
    await get(client, feed_page(1))
    assert (app.hits, app.misses) == (hits + 1, misses + 1)


async def test_an_entry_over_an_eighth_of_the_budget_is_not_kept(
    app: PublicCache, client: Client, editor: dict[str, str]
) -> None:
    await published_interviews(client, editor, 8, 20_000)
    first = await get(client, "/feeds/all.rss")
    assert len(first.content) > BUDGET // 8
    second = await get(client, "/feeds/all.rss")
    assert second.content == first.content
    assert app.misses == 2
    assert (app.bytes, len(app.entries)) == (0, 0)
    # Rendered each time, yet the same validators: a reader's conditional request still works.
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["last-modified"] == first.headers["last-modified"]
    conditional = await get(client, "/feeds/all.rss", {"If-None-Match": first.headers["etag"]})
    assert conditional.status_code == 304


async def test_first_seen_is_bounded(
    app: PublicCache, client: Client, editor: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record behind stable Last-Modified dates is kept for the most recent URLs only."""
    monkeypatch.setattr("app.cache.FIRST_SEEN_MAX", 5)
    await published_interviews(client, editor, 1, 100)
    for n in range(20):
        assert (await get(client, feed_page(n))).status_code == 200
    assert len(app.first_seen) == 5
