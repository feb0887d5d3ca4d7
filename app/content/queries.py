"""SQL for what the public sees: interviews that are public as app.publication
says ($1 is now), and the series and people they belong to."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from app.cdn.keys import interview_key, person_key, series_key, shown, tag_key
from app.interviews.schemas import Block
from app.publication import APPEARED_BY_NOW, PUBLIC, PUBLISHED_AT, UPCOMING
from app.schemas import Image, from_database

# Each row comes as one JSON document, which msgspec decodes straight into a PublicRow. An
# interview that has not appeared yet (a preview) reads as if it appeared now ($1).
_SELECT = f"""
    SELECT json_build_object(
           'id', i.id, 'slug', i.slug, 'title', i.title, 'standfirst', i.standfirst,
           'body', i.body, 'image', i.image, 'tags', i.tags, 'updated_at', i.updated_at,
           'published_at', coalesce({PUBLISHED_AT}, $1),
           'series_id', s.id, 'series_slug', s.slug, 'series_title', s.title,
           'participants',
           coalesce((SELECT json_agg(json_build_object(
                                'id', p.id, 'slug', p.slug, 'name', p.name,
                                'headline', p.headline, 'image', p.image, 'role', ip.role)
                             ORDER BY ip.position)
                       FROM interview_participants ip JOIN people p ON p.id = ip.person_id
                      WHERE ip.interview_id = i.id), '[]'),
           'pull_quotes',
           coalesce((SELECT json_agg(json_build_object(
                                'text', q.text, 'speaker_id', q.speaker_id,
                                'featured', q.featured)
                             ORDER BY q.position, q.created_at, q.id)
                       FROM pull_quotes q WHERE q.interview_id = i.id), '[]'),
           'teasers',
           coalesce((SELECT json_object_agg(t.placement, t.text)
                       FROM teasers t WHERE t.interview_id = i.id), '{{}}')
           )::text AS doc
      FROM interviews i JOIN series s ON s.id = i.series_id
"""


class ParticipantRow(msgspec.Struct):
    id: UUID
    slug: str
    name: str
    headline: str
    image: Image | None
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
    series_id: UUID
    series_slug: str
    series_title: str
    participants: list[ParticipantRow]
    pull_quotes: list[QuoteRow]
    teasers: dict[str, str]


_DECODE = msgspec.json.Decoder(PublicRow).decode


def _rows(rows: list[asyncpg.Record]) -> list[PublicRow]:
    """The rows, their interviews, series and people noted as shown (app/cdn/keys.py)."""
    with from_database():
        decoded = [_DECODE(row["doc"]) for row in rows]
    for row in decoded:
        shown(interview_key(row.id), series_key(row.series_id))
        shown(*(person_key(participant.id) for participant in row.participants))
    return decoded


async def select_public_interview(
    db: asyncpg.Connection, now: datetime, slug: str
) -> PublicRow | None:
    rows = await db.fetch(f"{_SELECT} WHERE i.slug = $2 AND {PUBLIC}", now, slug)
    if not rows:
        return None
    row = _rows(rows)[0]
    shown(*(tag_key(tag) for tag in row.tags))  # its page's related interviews share them
    return row


async def select_interview_as_public(
    db: asyncpg.Connection, now: datetime, interview_id: UUID
) -> PublicRow | None:
    """The interview as the public would see it, whatever its status (for editors)."""
    rows = await db.fetch(f"{_SELECT} WHERE i.id = $2 AND i.deleted_at IS NULL", now, interview_id)
    return _rows(rows)[0] if rows else None


async def select_previewed_interview(
    db: asyncpg.Connection, now: datetime, token_hash: bytes
) -> PublicRow | None:
    """The interview a preview token shows, whatever its status, until the token expires."""
    rows = await db.fetch(
        f"""
        {_SELECT} JOIN preview_tokens t ON t.interview_id = i.id
         WHERE t.token_hash = $2 AND t.expires_at > $1 AND i.deleted_at IS NULL
        """,
        now,
        token_hash,
    )
    return _rows(rows)[0] if rows else None


async def interview_is_withdrawn(db: asyncpg.Connection, slug: str) -> bool:
    return bool(
        await db.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM interviews
                            WHERE slug = $1 AND status = 'withdrawn' AND deleted_at IS NULL)
            """,
            slug,
        )
    )


class PublicFilter(msgspec.Struct, kw_only=True):
    series_slug: str | None = None
    person_slug: str | None = None
    tag: str | None = None
    # Published in [since, until).
    since: datetime | None = None
    until: datetime | None = None


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
    items just newer than it (for a feed's previous page).

    Only the conditions in use are written into the statement, so that each combination gets
    a plan of its own (a person's few interviews are found through the person, not by reading
    the whole archive in time order)."""
    args: list[Any] = [now]
    joins, conditions = "", [PUBLIC, APPEARED_BY_NOW]

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if where.series_slug is not None:
        conditions.append(f"s.slug = {param(where.series_slug)}")
    if where.person_slug is not None:
        joins = """
          JOIN interview_participants featuring ON featuring.interview_id = i.id
          JOIN people person ON person.id = featuring.person_id"""
        conditions.append(f"person.slug = {param(where.person_slug)}")
    if where.tag is not None:
        conditions.append(f"i.tags @> ARRAY[{param(where.tag)}::text]")
    if where.since is not None:
        conditions.append(f"{PUBLISHED_AT} >= {param(where.since)}")
    if where.until is not None:
        conditions.append(f"{PUBLISHED_AT} < {param(where.until)}")
    if after is not None:
        direction = ">" if newer else "<"
        conditions.append(
            f"({PUBLISHED_AT}, i.id) {direction} ({param(after[0])}, {param(after[1])})"
        )
    order = "ASC" if newer else "DESC"
    rows = await db.fetch(
        f"""
        {_SELECT} {joins}
         WHERE {" AND ".join(conditions)}
         ORDER BY {PUBLISHED_AT} {order}, i.id {order}
         LIMIT {param(limit)}
        """,
        *args,
    )
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
        now,
        limit,
    )
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
        now,
        since,
        limit,
    )
    return _rows(rows)


CANDIDATES = 20  # from each person's, series' and tag's list: as many as /related may show


async def select_related(
    db: asyncpg.Connection, now: datetime, interview_id: UUID, limit: int
) -> list[PublicRow]:
    """Ranked by shared interviewees, then shared interviewers, then the same series, then
    shared tags, then recency.

    Candidates are the newest few of each of its people, of its series and of each of its
    tags, each list walked newest first from now through its index (migration 0017), so the
    cost does not grow with the size of the archive or of a host's or a tag's list.
    """
    rows = await db.fetch(
        f"""
        WITH me AS (SELECT id, series_id, tags FROM interviews WHERE id = $2),
        mine AS (SELECT person_id, role FROM interview_participants WHERE interview_id = $2),
        candidates AS (
            SELECT newest.id FROM mine CROSS JOIN LATERAL (
                SELECT i.id FROM interview_participants ip
                  JOIN interviews i ON i.id = ip.interview_id
                 WHERE ip.person_id = mine.person_id AND ip.role = mine.role
                   AND ip.published_at <= $1 AND {PUBLIC}
                 ORDER BY ip.published_at DESC NULLS LAST LIMIT {CANDIDATES}) newest
            UNION
            SELECT id FROM (SELECT i.id FROM interviews i
                             WHERE i.series_id = (SELECT series_id FROM interviews WHERE id = $2)
                               AND {PUBLIC} AND {APPEARED_BY_NOW}
                             ORDER BY {PUBLISHED_AT} DESC LIMIT {CANDIDATES}) same_series
            UNION
            SELECT newest.id FROM me, unnest(me.tags) AS my_tags (tag) CROSS JOIN LATERAL (
                SELECT i.id FROM interview_tags it JOIN interviews i ON i.id = it.interview_id
                 WHERE it.tag = my_tags.tag AND it.published_at <= $1 AND {PUBLIC}
                 ORDER BY it.published_at DESC NULLS LAST LIMIT {CANDIDATES}) newest
        ),
        ranked AS (
            SELECT c.id,
                   (SELECT count(*) FROM interview_participants ip
                     WHERE ip.interview_id = c.id AND ip.role = 'interviewee'
                       AND ip.person_id = ANY (ARRAY(SELECT person_id FROM mine
                                                      WHERE role = 'interviewee'))
                   ) AS interviewees,
                   (SELECT count(*) FROM interview_participants ip
                     WHERE ip.interview_id = c.id AND ip.role = 'interviewer'
                       AND ip.person_id = ANY (ARRAY(SELECT person_id FROM mine
                                                      WHERE role = 'interviewer'))
                   ) AS interviewers,
                   (i.series_id = me.series_id) AS same_series,
                   cardinality(ARRAY(SELECT unnest(i.tags) INTERSECT SELECT unnest(me.tags)))
                       AS tags
              FROM candidates c JOIN interviews i ON i.id = c.id, me
             WHERE c.id <> me.id
        )
        {_SELECT} JOIN ranked r ON r.id = i.id
         WHERE {PUBLIC}
         ORDER BY r.interviewees DESC, r.interviewers DESC, r.same_series DESC, r.tags DESC,
                  {PUBLISHED_AT} DESC, i.id DESC
         LIMIT $3
        """,
        now,
        interview_id,
        limit,
    )
    return _rows(rows)


async def select_latest_by_series(
    db: asyncpg.Connection, now: datetime, per_series: int, series_count: int
) -> list[PublicRow]:
    """The latest public interviews of the `series_count` active series that published last,
    in one query: the series in the order of their newest interview, each one's newest first."""
    rows = await db.fetch(
        f"""
        WITH active AS (
            SELECT s.id, newest.published_at
              FROM series s CROSS JOIN LATERAL (
                   SELECT {PUBLISHED_AT} AS published_at FROM interviews i
                    WHERE i.series_id = s.id AND {PUBLIC} AND {APPEARED_BY_NOW}
                    ORDER BY {PUBLISHED_AT} DESC, i.id DESC
                    LIMIT 1
              ) AS newest
             WHERE s.status = 'active' AND s.visibility = 'public' AND s.deleted_at IS NULL
             ORDER BY newest.published_at DESC, s.slug
             LIMIT $3
        ), picked AS (
            SELECT active.published_at AS series_order, latest.id
              FROM active CROSS JOIN LATERAL (
                   SELECT i.id FROM interviews i
                    WHERE i.series_id = active.id AND {PUBLIC} AND {APPEARED_BY_NOW}
                    ORDER BY {PUBLISHED_AT} DESC, i.id DESC
                    LIMIT $2
              ) AS latest
        )
        {_SELECT} JOIN picked ON picked.id = i.id
         ORDER BY picked.series_order DESC, s.slug, {PUBLISHED_AT} DESC, i.id DESC
        """,
        now,
        per_series,
        series_count,
    )
    return _rows(rows)


async def select_next_change(db: asyncpg.Connection, now: datetime) -> datetime | None:
    """When the public view next changes by itself: the next scheduled publication, or the
    next start or end of an editors' choice window."""
    value: datetime | None = await db.fetchval(
        f"""
        SELECT min(t) FROM (
            SELECT min(i.publish_at) FROM interviews i WHERE {UPCOMING}
            UNION ALL SELECT min(starts_at) FROM editors_choice WHERE starts_at > $1
            UNION ALL SELECT min(ends_at) FROM editors_choice WHERE ends_at > $1
        ) AS upcoming (t)
        """,
        now,
    )
    return value


class SeriesRow(msgspec.Struct, kw_only=True):
    slug: str
    title: str
    description: str
    status: str


async def select_public_series(db: asyncpg.Connection) -> list[SeriesRow]:
    """Series that are listed (public) and not ended."""
    rows = await db.fetch(
        """
        SELECT slug, title, description, status FROM series
         WHERE status <> 'ended' AND visibility = 'public'
           AND deleted_at IS NULL
         ORDER BY title, slug
        """
    )
    return [msgspec.convert(row, SeriesRow, from_attributes=True) for row in rows]


async def select_series_by_slug(db: asyncpg.Connection, slug: str) -> SeriesRow | None:
    """A series whatever its status (an ended one keeps its page and feeds), unless hidden."""
    row = await db.fetchrow(
        """
        SELECT id, slug, title, description, status FROM series
         WHERE slug = $1 AND visibility <> 'hidden'
           AND deleted_at IS NULL
        """,
        slug,
    )
    if row is None:
        return None
    shown(series_key(row["id"]))  # its page and feeds list its interviews
    return msgspec.convert(row, SeriesRow, from_attributes=True)


class PersonRow(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    headline: str
    bio: str
    affiliation: str
    image: Image | None


async def select_public_person(
    db: asyncpg.Connection, now: datetime, slug: str
) -> PersonRow | None:
    """A person who takes part in a public interview; nobody else is shown to the public."""
    row = await db.fetchrow(
        f"""
        SELECT p.id, p.slug, p.name, p.headline, p.bio, p.affiliation, p.image FROM people p
         WHERE p.slug = $2 AND p.deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM interview_participants ip
                         JOIN interviews i ON i.id = ip.interview_id
                        WHERE ip.person_id = p.id AND {PUBLIC})
        """,
        now,
        slug,
    )
    if row is None:
        return None
    shown(person_key(row["id"]))  # their page and feeds list their interviews
    return msgspec.convert(row, PersonRow, from_attributes=True)


class PersonIndexRow(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    headline: str
    image: Image | None
    interviewer: int  # public interviews in which they ask
    interviewee: int  # public interviews in which they answer


async def select_public_people(
    db: asyncpg.Connection,
    now: datetime,
    role: str | None,
    after: tuple[str, str] | None,
    limit: int,
) -> list[PersonIndexRow]:
    """People who take part in a public interview (in `role`, if given), by name then slug,
    after the (name, slug) `after`; each with their public interviews counted per role."""
    rows = await db.fetch(
        f"""
        SELECT p.slug, p.name, p.headline, p.image,
               count(*) FILTER (WHERE ip.role = 'interviewer') AS interviewer,
               count(*) FILTER (WHERE ip.role = 'interviewee') AS interviewee
          FROM people p
          JOIN interview_participants ip ON ip.person_id = p.id
          JOIN interviews i ON i.id = ip.interview_id
         WHERE p.deleted_at IS NULL AND {PUBLIC}
           AND ($3::text IS NULL OR (p.name, p.slug) > ($3, $4))
         GROUP BY p.id
        HAVING $2::text IS NULL OR bool_or(ip.role = $2)
         ORDER BY p.name, p.slug
         LIMIT $5
        """,
        now,
        role,
        *(after or (None, None)),
        limit,
    )
    return [msgspec.convert(row, PersonIndexRow, from_attributes=True) for row in rows]


class TagRow(msgspec.Struct, kw_only=True):
    tag: str
    count: int  # public interviews with the tag


async def select_public_tags(
    db: asyncpg.Connection, now: datetime, after: tuple[int, str] | None, limit: int
) -> list[TagRow]:
    """Tags of public interviews, the most used first, then by name; after the (count, tag)
    `after` in that order."""
    rows = await db.fetch(
        f"""
        SELECT t.tag, count(DISTINCT i.id) AS count
          FROM interviews i CROSS JOIN unnest(i.tags) AS t (tag)
         WHERE {PUBLIC}
         GROUP BY t.tag
        HAVING $2::bigint IS NULL
            OR count(DISTINCT i.id) < $2
            OR (count(DISTINCT i.id) = $2 AND t.tag > $3)
         ORDER BY count DESC, t.tag
         LIMIT $4
        """,
        now,
        *(after or (None, None)),
        limit,
    )
    return [msgspec.convert(row, TagRow, from_attributes=True) for row in rows]


async def count_public_tagged(db: asyncpg.Connection, now: datetime, tag: str) -> int:
    """How many public interviews carry `tag`, as stored (the same match as PublicFilter)."""
    shown(tag_key(tag))  # asked by the tag's page and feeds, which list its interviews
    count: int = await db.fetchval(
        f"SELECT count(*) FROM interviews i WHERE i.tags @> ARRAY[$2::text] AND {PUBLIC}",
        now,
        tag,
    )
    return count


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
         WHERE i.deleted_at IS NULL
        ON CONFLICT (interview_id, day) DO UPDATE SET views = interview_views.views + excluded.views
        """,
        [key[0] for key in counts],
        [key[1] for key in counts],
        list(counts.values()),
    )


async def select_public_interviews(
    db: asyncpg.Connection, now: datetime, ids: list[UUID]
) -> list[PublicRow]:
    """The public interviews among `ids`, in the order of `ids` (search hits, ranked)."""
    rows = await db.fetch(
        f"""
        {_SELECT} JOIN unnest($2::uuid[]) WITH ORDINALITY AS wanted (id, n) ON wanted.id = i.id
         WHERE {PUBLIC}
         ORDER BY wanted.n
        """,
        now,
        ids,
    )
    return _rows(rows)
