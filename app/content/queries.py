"""SQL for what the public sees.

One rule everywhere: an interview is public when it is published, or scheduled with its time
come ($1 is now). It is applied here, at read time, so nothing waits for a job to run.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from app.interviews.schemas import Block
from app.schemas import Image

PUBLIC = "(i.status = 'published' OR (i.status = 'scheduled' AND i.publish_at <= $1))"
PUBLISHED_AT = "coalesce(i.published_at, i.publish_at)"

_SELECT = f"""
    SELECT i.id, i.slug, i.title, i.standfirst, i.body, i.image, i.tags, i.updated_at,
           {PUBLISHED_AT} AS published_at,
           s.slug AS series_slug, s.title AS series_title,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'id', p.id, 'slug', p.slug, 'name', p.name,
                                'headline', p.headline, 'role', ip.role)
                             ORDER BY ip.position)
                       FROM interview_participants ip JOIN people p ON p.id = ip.person_id
                      WHERE ip.interview_id = i.id), '[]') AS participants,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'text', q.text, 'speaker_id', q.speaker_id,
                                'featured', q.featured)
                             ORDER BY q.position, q.created_at, q.id)
                       FROM pull_quotes q WHERE q.interview_id = i.id), '[]') AS pull_quotes,
           coalesce((SELECT jsonb_object_agg(t.placement, t.text)
                       FROM teasers t WHERE t.interview_id = i.id), '{{}}') AS teasers
      FROM interviews i JOIN series s ON s.id = i.series_id
"""


class PersonRow(msgspec.Struct):
    id: UUID
    slug: str
    name: str
    headline: str
    role: str


class QuoteRow(msgspec.Struct):
    text: str
    speaker_id: UUID
    featured: bool


class PublicRow(msgspec.Struct):
    """A public interview with everything a card, a page or a feed item is made from."""

    id: UUID
    slug: str
    title: str
    standfirst: str
    body: list[Block]
    image: Image | None
    tags: list[str]
    updated_at: datetime
    published_at: datetime
    series_slug: str
    series_title: str
    participants: list[PersonRow]
    pull_quotes: list[QuoteRow]
    teasers: dict[str, str]


def _rows(rows: list[asyncpg.Record]) -> list[PublicRow]:
    return [msgspec.convert(row, PublicRow, from_attributes=True) for row in rows]


async def select_public_interview(
    db: asyncpg.Connection, now: datetime, slug: str
) -> PublicRow | None:
    rows = await db.fetch(f"{_SELECT} WHERE i.slug = $2 AND {PUBLIC}", now, slug)
    return _rows(rows)[0] if rows else None


async def interview_is_withdrawn(db: asyncpg.Connection, slug: str) -> bool:
    return bool(
        await db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM interviews WHERE slug = $1 AND status = 'withdrawn')",
            slug,
        )
    )


class PublicFilter(msgspec.Struct, kw_only=True):
    series_slug: str | None = None
    person_slug: str | None = None
    tag: str | None = None


async def select_public_page(
    db: asyncpg.Connection,
    now: datetime,
    where: PublicFilter,
    after: tuple[datetime, UUID] | None,
    limit: int,
    *,
    newer: bool = False,
) -> list[PublicRow]:
    """Newest first, by publication time: older than `after`, or with `newer` the `limit`
    items just newer than it (for a feed's previous page)."""
    rows = await db.fetch(
        f"""
        {_SELECT}
         WHERE {PUBLIC}
           AND ($2::text IS NULL OR s.slug = $2)
           AND ($3::text IS NULL OR EXISTS (
                   SELECT 1 FROM interview_participants ip JOIN people p ON p.id = ip.person_id
                    WHERE ip.interview_id = i.id AND p.slug = $3))
           AND ($4::text IS NULL OR i.tags @> ARRAY[$4])
           AND ($5::timestamptz IS NULL OR ({PUBLISHED_AT}, i.id) {">" if newer else "<"} ($5, $6))
         ORDER BY {PUBLISHED_AT} {"ASC" if newer else "DESC"}, i.id {"ASC" if newer else "DESC"}
         LIMIT $7
        """,
        now, where.series_slug, where.person_slug, where.tag, *(after or (None, None)), limit,
    )  # fmt: skip
    return _rows(rows)[::-1] if newer else _rows(rows)


async def select_editors_choice(
    db: asyncpg.Connection, now: datetime, limit: int
) -> list[PublicRow]:
    rows = await db.fetch(
        f"""
        {_SELECT} JOIN editors_choice c ON c.interview_id = i.id
         WHERE {PUBLIC}
           AND (c.starts_at IS NULL OR c.starts_at <= $1)
           AND (c.ends_at IS NULL OR c.ends_at > $1)
         ORDER BY c.position, {PUBLISHED_AT} DESC
         LIMIT $2
        """,
        now, limit,
    )  # fmt: skip
    return _rows(rows)


async def select_popular(
    db: asyncpg.Connection, now: datetime, since: date, limit: int
) -> list[PublicRow]:
    """Most viewed since `since` (a day), then newest."""
    rows = await db.fetch(
        f"""
        WITH counts AS (
            SELECT interview_id, sum(views) AS views FROM interview_views
             WHERE day >= $2 GROUP BY interview_id
        )
        {_SELECT} JOIN counts ON counts.interview_id = i.id
         WHERE {PUBLIC}
         ORDER BY counts.views DESC, {PUBLISHED_AT} DESC, i.id DESC
         LIMIT $3
        """,
        now, since, limit,
    )  # fmt: skip
    return _rows(rows)


async def select_related(
    db: asyncpg.Connection, now: datetime, interview_id: UUID, limit: int
) -> list[PublicRow]:
    """Ranked by shared interviewees, interviewers, series and tags, then recency.

    Only interviews that share something are candidates, found through indexes, so the cost
    does not grow with the size of the archive.
    """
    rows = await db.fetch(
        f"""
        WITH me AS (SELECT id, series_id, tags FROM interviews WHERE id = $2),
        mine AS (SELECT person_id, role FROM interview_participants WHERE interview_id = $2),
        candidates AS (
            SELECT ip.interview_id AS id FROM interview_participants ip JOIN mine USING (person_id)
            UNION
            SELECT id FROM (SELECT i.id FROM interviews i, me
                             WHERE i.series_id = me.series_id AND {PUBLIC}
                             ORDER BY {PUBLISHED_AT} DESC LIMIT 50) same_series
            UNION
            SELECT id FROM (SELECT i.id FROM interviews i, me
                             WHERE i.tags && me.tags AND {PUBLIC}
                             ORDER BY {PUBLISHED_AT} DESC LIMIT 50) same_tags
        ),
        scored AS (
            SELECT c.id,
                   4 * (SELECT count(*) FROM interview_participants ip JOIN mine USING (person_id)
                         WHERE ip.interview_id = c.id AND ip.role = 'interviewee'
                           AND mine.role = 'interviewee')
                 + 2 * (SELECT count(*) FROM interview_participants ip JOIN mine USING (person_id)
                         WHERE ip.interview_id = c.id AND ip.role = 'interviewer'
                           AND mine.role = 'interviewer')
                 + (SELECT CASE WHEN i.series_id = me.series_id THEN 1 ELSE 0 END
                      FROM interviews i, me WHERE i.id = c.id)
                 + (SELECT count(*) FROM interviews i, me, unnest(i.tags) AS tag
                     WHERE i.id = c.id AND tag = ANY (me.tags)) AS score
              FROM candidates c
             WHERE c.id <> $2
        )
        {_SELECT} JOIN scored ON scored.id = i.id
         WHERE {PUBLIC} AND scored.score > 0
         ORDER BY scored.score DESC, {PUBLISHED_AT} DESC, i.id DESC
         LIMIT $3
        """,
        now, interview_id, limit,
    )  # fmt: skip
    return _rows(rows)


async def select_next_change(db: asyncpg.Connection, now: datetime) -> datetime | None:
    """When the public view next changes by itself: the next scheduled publication, or the
    next start or end of an editors' choice window."""
    value: datetime | None = await db.fetchval(
        """
        SELECT min(t) FROM (
            SELECT min(publish_at) FROM interviews WHERE status = 'scheduled' AND publish_at > $1
            UNION ALL SELECT min(starts_at) FROM editors_choice WHERE starts_at > $1
            UNION ALL SELECT min(ends_at) FROM editors_choice WHERE ends_at > $1
        ) AS upcoming (t)
        """,
        now,
    )
    return value


async def select_public_series(db: asyncpg.Connection, slug: str | None = None) -> list[Any]:
    """Series that are not ended, or the one with `slug` whatever its status."""
    return list(
        await db.fetch(
            """
            SELECT slug, title, description, status FROM series
             WHERE ($1::text IS NULL AND status <> 'ended') OR slug = $1
             ORDER BY title, slug
            """,
            slug,
        )
    )


async def select_public_person(
    db: asyncpg.Connection, now: datetime, slug: str
) -> asyncpg.Record | None:
    """A person who takes part in a public interview; nobody else is shown to the public."""
    row: asyncpg.Record | None = await db.fetchrow(
        f"""
        SELECT p.slug, p.name, p.headline, p.bio, p.affiliation, p.image FROM people p
         WHERE p.slug = $2
           AND EXISTS (SELECT 1 FROM interview_participants ip
                         JOIN interviews i ON i.id = ip.interview_id
                        WHERE ip.person_id = p.id AND {PUBLIC})
        """,
        now, slug,
    )  # fmt: skip
    return row


async def select_public_interview_id(
    db: asyncpg.Connection, now: datetime, slug: str
) -> UUID | None:
    value: UUID | None = await db.fetchval(
        f"SELECT i.id FROM interviews i WHERE i.slug = $2 AND {PUBLIC}", now, slug
    )
    return value


async def add_views(db: asyncpg.Connection, counts: dict[tuple[UUID, date], int]) -> None:
    """Add buffered view counts, one row per interview and day."""
    await db.execute(
        """
        INSERT INTO interview_views (interview_id, day, views)
        SELECT v.interview_id, v.day, v.views
          FROM unnest($1::uuid[], $2::date[], $3::bigint[]) AS v (interview_id, day, views)
          JOIN interviews i ON i.id = v.interview_id  -- skips interviews deleted meanwhile
        ON CONFLICT (interview_id, day) DO UPDATE SET views = interview_views.views + excluded.views
        """,
        [key[0] for key in counts], [key[1] for key in counts], list(counts.values()),
    )  # fmt: skip
