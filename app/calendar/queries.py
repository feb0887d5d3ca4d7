"""SQL for the editorial calendar."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.publication import EFFECTIVE_STATUS
from app.series.schemas import Cadence


class CalendarSeries(msgspec.Struct, kw_only=True):
    id: UUID
    slug: str
    title: str
    status: str
    cadence: Cadence | None
    created_at: datetime
    updated_at: datetime


class CalendarInterview(msgspec.Struct, kw_only=True):
    id: UUID
    series_id: UUID
    slug: str
    title: str
    status: str  # the effective one: scheduled, or published once its time has come
    publish_at: datetime | None
    appears_at: datetime
    updated_at: datetime


async def select_calendar_series(db: asyncpg.Connection, slug: str | None) -> list[CalendarSeries]:
    """Every series, or the one with this slug."""
    rows = await db.fetch(
        """
        SELECT id, slug, title, status, cadence_rrule, cadence_timezone, created_at, updated_at
          FROM series
         WHERE deleted_at IS NULL AND ($1::text IS NULL OR slug = $1)
         ORDER BY created_at, id
        """,
        slug,
    )
    return [
        CalendarSeries(
            id=row["id"],
            slug=row["slug"],
            title=row["title"],
            status=row["status"],
            cadence=None
            if row["cadence_rrule"] is None
            else Cadence(rrule=row["cadence_rrule"], timezone=row["cadence_timezone"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]


async def select_calendar_interviews(
    db: asyncpg.Connection, series_id: UUID | None, since: datetime, now: datetime, limit: int
) -> list[CalendarInterview]:
    """The first `limit` scheduled and published interviews (of one series, or all) appearing
    from `since` on."""
    rows = await db.fetch(
        f"""
        SELECT i.id, i.series_id, i.slug, i.title, i.publish_at, i.updated_at, i.appears_at,
               {EFFECTIVE_STATUS} AS status
          FROM (SELECT *,
                       -- A rescheduled withdrawn interview keeps its first published_at; it
                       -- appears again at publish_at.
                       CASE WHEN status = 'scheduled' THEN publish_at
                            ELSE published_at END AS appears_at
                  FROM interviews
                 WHERE status IN ('scheduled', 'published')
                   AND ($2::uuid IS NULL OR series_id = $2)) AS i
         WHERE i.appears_at >= $3
         ORDER BY i.appears_at, i.id
         LIMIT $4
        """,
        now,
        series_id,
        since,
        limit,
    )
    return [msgspec.convert(row, CalendarInterview, from_attributes=True) for row in rows]
