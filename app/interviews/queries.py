"""SQL for interviews, their participants, pull quotes and teasers."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.db import assignments
from app.errors import ProblemError
from app.interviews.schemas import (
    Block,
    Interview,
    InterviewStatus,
    InterviewUpdate,
    ParticipantIn,
    PullQuote,
    PullQuoteCreate,
    PullQuoteUpdate,
)
from app.publication import EFFECTIVE_PUBLISHED_AT, EFFECTIVE_STATUS, PUBLISHED_AT
from app.schemas import Image, from_database, given
from app.series.schemas import Cadence
from app.trash.queries import select_trashed_among
from app.trash.schemas import Kind

_SELECT = f"""
    SELECT i.id, i.series_id, i.slug, i.title, i.standfirst, i.body, i.image, i.tags,
           {EFFECTIVE_STATUS} AS status, i.publish_at, {EFFECTIVE_PUBLISHED_AT} AS published_at,
           i.withdrawn_at, i.version, i.created_at, i.updated_at,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'person_id', p.id, 'role', ip.role, 'slug', p.slug,
                                'name', p.name, 'headline', p.headline)
                             ORDER BY ip.position)
                       FROM interview_participants ip JOIN people p ON p.id = ip.person_id
                      WHERE ip.interview_id = i.id), '[]') AS participants,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'id', q.id, 'text', q.text, 'speaker_id', q.speaker_id,
                                'block_id', q.block_id, 'position', q.position,
                                'featured', q.featured)
                             ORDER BY q.position, q.created_at, q.id)
                       FROM pull_quotes q
                      WHERE q.interview_id = i.id), '[]') AS pull_quotes,
           coalesce((SELECT jsonb_object_agg(t.placement, t.text)
                       FROM teasers t
                      WHERE t.interview_id = i.id), '{{}}') AS teasers
      FROM interviews i
"""


def _interview(row: asyncpg.Record) -> Interview:
    with from_database():
        return msgspec.convert(row, Interview, from_attributes=True)


async def select_interview(
    db: asyncpg.Connection, interview_id: UUID, now: datetime
) -> Interview | None:
    row = await db.fetchrow(
        f"{_SELECT} WHERE i.id = $2 AND i.deleted_at IS NULL", now, interview_id
    )
    return None if row is None else _interview(row)


class InterviewFilter(msgspec.Struct, kw_only=True):
    series_id: UUID | None = None
    status: str | None = None
    person_id: UUID | None = None
    tag: str | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    q: str | None = None  # words to search for, as on the Content API's search


async def select_interview_page(
    db: asyncpg.Connection,
    now: datetime,
    where: InterviewFilter,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Interview]:
    """Newest first; the publish window is on the (planned or actual) publication time."""
    rows = await db.fetch(
        f"""
        {_SELECT}
         WHERE i.deleted_at IS NULL
           AND ($2::uuid IS NULL OR i.series_id = $2)
           AND ($3::text IS NULL OR {EFFECTIVE_STATUS} = $3)
           AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM interview_participants ip
                                              WHERE ip.interview_id = i.id AND ip.person_id = $4))
           AND ($5::text IS NULL OR i.tags @> ARRAY[$5])
           AND ($6::timestamptz IS NULL OR {PUBLISHED_AT} >= $6)
           AND ($7::timestamptz IS NULL OR {PUBLISHED_AT} < $7)
           AND ($8::timestamptz IS NULL OR (i.created_at, i.id) < ($8, $9))
           AND ($11::text IS NULL OR EXISTS (SELECT 1 FROM interview_search d
                                              WHERE d.interview_id = i.id
                                                AND d.document @@ search_query($11)))
         ORDER BY i.created_at DESC, i.id DESC
         LIMIT $10
        """,
        now,
        where.series_id,
        where.status,
        where.person_id,
        where.tag,
        where.published_after,
        where.published_before,
        *(after or (None, None)),
        limit,
        where.q,
    )
    return [_interview(row) for row in rows]


class LockedInterview(msgspec.Struct, kw_only=True):
    """What a write needs to know before it changes an interview."""

    status: InterviewStatus  # the effective one
    version: int
    publish_at: datetime | None
    published_at: datetime | None
    body: list[Block]
    created_by: UUID | None  # the token that created it


_LOCKED = f"""
    {EFFECTIVE_STATUS} AS status, i.version, i.publish_at, {EFFECTIVE_PUBLISHED_AT} AS published_at,
    i.body, i.created_by
"""


async def select_interview_for_update(
    db: asyncpg.Connection, now: datetime, interview_id: UUID
) -> LockedInterview | None:
    """Lock an interview for a write."""
    row = await db.fetchrow(
        f"SELECT {_LOCKED} FROM interviews i WHERE i.id = $2 AND i.deleted_at IS NULL FOR UPDATE",
        now,
        interview_id,
    )
    if row is None:
        return None
    with from_database():
        return msgspec.convert(row, LockedInterview, from_attributes=True)


class SeriesCadence(msgspec.Struct, kw_only=True):
    """A series as its slots need it."""

    id: UUID
    title: str
    cadence: Cadence | None
    created_at: datetime  # its local day is where its rule starts


class LockedForScheduling(LockedInterview, kw_only=True):
    series: SeriesCadence


async def select_interview_for_scheduling(
    db: asyncpg.Connection, now: datetime, interview_id: UUID
) -> LockedForScheduling | None:
    """Lock an interview for a write, and its series until the transaction ends, so that two
    editors scheduling into its slots never both get the same free one. The series is locked
    as its slots are read: other writes of it wait, interviews may still point at it."""
    row = await db.fetchrow(
        f"""
        SELECT {_LOCKED},
               jsonb_build_object(
                   'id', s.id, 'title', s.title, 'created_at', s.created_at,
                   'cadence', CASE WHEN s.cadence_rrule IS NOT NULL THEN jsonb_build_object(
                                   'rrule', s.cadence_rrule, 'timezone', s.cadence_timezone)
                              END
               ) AS series
          FROM interviews i JOIN series s ON s.id = i.series_id
         WHERE i.id = $2 AND i.deleted_at IS NULL
           FOR UPDATE OF i
           FOR NO KEY UPDATE OF s
        """,
        now,
        interview_id,
    )
    return None if row is None else msgspec.convert(row, LockedForScheduling, from_attributes=True)


async def insert_interview(
    db: asyncpg.Connection,
    *,
    series_id: UUID,
    slug: str,
    title: str,
    standfirst: str,
    body: list[Block],
    image: Image | None,
    tags: list[str],
    created_by: UUID | None,
    now: datetime,
) -> UUID:
    await _refuse_trashed_series(db, series_id)
    interview_id: UUID = await db.fetchval(
        """
        INSERT INTO interviews (series_id, slug, title, standfirst, body, image, tags,
                                created_by, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
        RETURNING id
        """,
        series_id,
        slug,
        title,
        standfirst,
        body,
        image,
        tags,
        created_by,
        now,
    )
    return interview_id


class StatusChange(msgspec.Struct, kw_only=True):
    """The columns a lifecycle action writes; those left UNSET keep their value."""

    status: InterviewStatus
    publish_at: datetime | msgspec.UnsetType | None = msgspec.UNSET
    published_at: datetime | msgspec.UnsetType = msgspec.UNSET
    withdrawn_at: datetime | msgspec.UnsetType | None = msgspec.UNSET


async def update_interview(
    db: asyncpg.Connection,
    interview_id: UUID,
    update: InterviewUpdate | StatusChange,
    now: datetime,
) -> None:
    """Write the fields `update` gives (none at all for an edit of the interview's parts) and
    count a new version."""
    if isinstance(update, InterviewUpdate) and isinstance(update.series_id, UUID):
        await _refuse_trashed_series(db, update.series_id)
    clause, values = assignments(given(update), 3)
    sets = f"{clause}, " if clause else ""
    await db.execute(
        f"UPDATE interviews SET {sets}version = version + 1, updated_at = $2 WHERE id = $1",
        interview_id,
        now,
        *values,
    )


async def _refuse_trashed_series(db: asyncpg.Connection, series_id: UUID) -> None:
    """A series in the trash is no series, as the foreign key says of one that is not there."""
    if await select_trashed_among(db, Kind.series, [series_id]):
        raise ProblemError(422, "no such series", field="series_id")


async def count_interviewees(db: asyncpg.Connection, interview_id: UUID) -> int:
    return int(
        await db.fetchval(
            """
            SELECT count(*) FROM interview_participants
             WHERE interview_id = $1 AND role = 'interviewee'
            """,
            interview_id,
        )
    )


async def replace_participants(
    db: asyncpg.Connection, interview_id: UUID, participants: list[ParticipantIn]
) -> None:
    """Set the ordered participant list; people who are quoted cannot be dropped (FK)."""
    if await select_trashed_among(db, Kind.people, [p.person_id for p in participants]):
        raise ProblemError(422, "no such person", field="participants")
    await db.execute(
        """
        DELETE FROM interview_participants
         WHERE interview_id = $1 AND NOT (person_id = ANY($2::uuid[]))
        """,
        interview_id,
        [p.person_id for p in participants],
    )
    await db.executemany(
        """
        INSERT INTO interview_participants (interview_id, person_id, role, position)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (interview_id, person_id)
        DO UPDATE SET role = excluded.role, position = excluded.position
        """,
        [(interview_id, p.person_id, p.role, i) for i, p in enumerate(participants)],
    )


async def select_pull_quotes(db: asyncpg.Connection, interview_id: UUID) -> list[PullQuote]:
    rows = await db.fetch(
        """
        SELECT id, text, speaker_id, block_id, position, featured FROM pull_quotes
         WHERE interview_id = $1 ORDER BY position, created_at, id
        """,
        interview_id,
    )
    return [msgspec.convert(row, PullQuote, from_attributes=True) for row in rows]


async def insert_pull_quote(
    db: asyncpg.Connection, interview_id: UUID, quote: PullQuoteCreate, now: datetime
) -> None:
    await db.execute(
        """
        INSERT INTO pull_quotes (interview_id, text, speaker_id, block_id, featured, position,
                                 created_at)
        VALUES ($1, $2, $3, $4, $5,
                coalesce($6, (SELECT coalesce(max(position) + 1, 0)
                                FROM pull_quotes WHERE interview_id = $1)),
                $7)
        """,
        interview_id,
        quote.text,
        quote.speaker_id,
        quote.block_id,
        quote.featured,
        quote.position,
        now,
    )


async def update_pull_quote(
    db: asyncpg.Connection, interview_id: UUID, quote_id: UUID, update: PullQuoteUpdate
) -> None:
    clause, values = assignments(given(update), 3)
    await db.execute(
        f"UPDATE pull_quotes SET {clause} WHERE interview_id = $1 AND id = $2",
        interview_id,
        quote_id,
        *values,
    )


async def delete_pull_quote(db: asyncpg.Connection, interview_id: UUID, quote_id: UUID) -> bool:
    status = await db.execute(
        "DELETE FROM pull_quotes WHERE interview_id = $1 AND id = $2", interview_id, quote_id
    )
    return bool(status != "DELETE 0")


async def upsert_teaser(
    db: asyncpg.Connection, interview_id: UUID, placement: str, text: str
) -> None:
    await db.execute(
        """
        INSERT INTO teasers (interview_id, placement, text) VALUES ($1, $2, $3)
        ON CONFLICT (interview_id, placement) DO UPDATE SET text = excluded.text
        """,
        interview_id,
        placement,
        text,
    )


async def replace_teasers(
    db: asyncpg.Connection, interview_id: UUID, teasers: dict[str, str]
) -> None:
    """Set the teaser of each placement given, and remove the others."""
    await db.execute(
        "DELETE FROM teasers WHERE interview_id = $1 AND NOT (placement = ANY($2::text[]))",
        interview_id,
        list(teasers),
    )
    for placement, text in teasers.items():
        await upsert_teaser(db, interview_id, placement, text)


async def delete_teaser(db: asyncpg.Connection, interview_id: UUID, placement: str) -> bool:
    status = await db.execute(
        "DELETE FROM teasers WHERE interview_id = $1 AND placement = $2", interview_id, placement
    )
    return bool(status != "DELETE 0")
