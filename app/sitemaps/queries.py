"""SQL for the sitemaps: what of the public site a search engine should know of, and when each
page last changed. Interviews are public as app.publication says ($1 is now)."""

from datetime import datetime

import asyncpg
import msgspec

from app.publication import APPEARED_BY_NOW, PUBLIC, PUBLISHED_AT

# When an interview's page last changed for the public: every change to an interview, public or
# not yet, counts a version and sets updated_at; a scheduled interview appears at its time,
# after its last edit. The feeds date their items the same way (app/feeds/formats.item_updated).
LASTMOD = f"greatest(i.updated_at, {PUBLISHED_AT})"


class Page(msgspec.Struct, kw_only=True):
    """A page of the site to list, with when it last changed (None: never, as far as we know)."""

    slug: str
    lastmod: datetime | None
    image_url: str | None = None


class NewsItem(msgspec.Struct, kw_only=True):
    slug: str
    title: str
    published_at: datetime
    lastmod: datetime


def _pages(rows: list[asyncpg.Record]) -> list[Page]:
    return [msgspec.convert(row, Page, from_attributes=True) for row in rows]


async def select_interview_pages(
    db: asyncpg.Connection, now: datetime, offset: int, limit: int
) -> list[Page]:
    """Public interviews, oldest first: a new one goes on the last page, so that the pages
    before keep what they list."""
    rows = await db.fetch(
        f"""
        SELECT i.slug, {LASTMOD} AS lastmod, i.image ->> 'url' AS image_url
          FROM interviews i
         WHERE {PUBLIC}
         ORDER BY {PUBLISHED_AT}, i.id
        OFFSET $2 LIMIT $3
        """,
        now,
        offset,
        limit,
    )
    return _pages(rows)


async def select_interview_lastmods(
    db: asyncpg.Connection, now: datetime, page_size: int
) -> list[datetime]:
    """For each page of `page_size` public interviews in the order of select_interview_pages,
    when the latest of them last changed."""
    rows = await db.fetch(
        f"""
        SELECT max(lastmod) AS lastmod
          FROM (SELECT {LASTMOD} AS lastmod,
                       row_number() OVER (ORDER BY {PUBLISHED_AT}, i.id) - 1 AS position
                  FROM interviews i
                 WHERE {PUBLIC}) AS public
         GROUP BY position / $2
         ORDER BY position / $2
        """,
        now,
        page_size,
    )
    return [row["lastmod"] for row in rows]


async def select_series_pages(db: asyncpg.Connection, now: datetime) -> list[Page]:
    """Series listed publicly, ended ones too (they keep their page): changed when the series
    itself or one of its public interviews last did."""
    rows = await db.fetch(
        f"""
        SELECT s.slug,
               greatest(s.updated_at,
                        (SELECT max({LASTMOD}) FROM interviews i
                          WHERE i.series_id = s.id AND {PUBLIC})) AS lastmod
          FROM series s
         WHERE s.visibility = 'public' AND s.deleted_at IS NULL
         ORDER BY s.slug
        """,
        now,
    )
    return _pages(rows)


async def select_people_pages(db: asyncpg.Connection, now: datetime) -> list[Page]:
    """People who take part in a public interview (nobody else has a public page): changed
    when the person or one of their public interviews last did."""
    rows = await db.fetch(
        f"""
        SELECT p.slug, greatest(p.updated_at, max({LASTMOD})) AS lastmod
          FROM people p
          JOIN interview_participants ip ON ip.person_id = p.id
          JOIN interviews i ON i.id = ip.interview_id
         WHERE p.deleted_at IS NULL AND {PUBLIC}
         GROUP BY p.id
         ORDER BY p.slug
        """,
        now,
    )
    return _pages(rows)


async def select_news(
    db: asyncpg.Connection, now: datetime, since: datetime, limit: int
) -> list[NewsItem]:
    """Public interviews that appeared after `since`, newest first."""
    rows = await db.fetch(
        f"""
        SELECT i.slug, i.title, {PUBLISHED_AT} AS published_at, {LASTMOD} AS lastmod
          FROM interviews i
         WHERE {PUBLIC} AND {APPEARED_BY_NOW} AND {PUBLISHED_AT} > $2
         ORDER BY {PUBLISHED_AT} DESC, i.id DESC
         LIMIT $3
        """,
        now,
        since,
        limit,
    )
    return [msgspec.convert(row, NewsItem, from_attributes=True) for row in rows]
