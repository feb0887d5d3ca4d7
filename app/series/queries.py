"""SQL for series."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.db import assignments
from app.schemas import given
from app.series.schemas import Cadence, Series, SeriesCreate, SeriesUpdate

_COLUMNS = """
    id, slug, title, description, status, visibility, version, created_at, updated_at,
    CASE WHEN cadence_rrule IS NULL THEN NULL
         ELSE jsonb_build_object('rrule', cadence_rrule, 'timezone', cadence_timezone)
    END AS cadence
"""


def _series(row: asyncpg.Record) -> Series:
    return msgspec.convert(row, Series, from_attributes=True)


async def select_series(db: asyncpg.Connection, series_id: UUID) -> Series | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM series WHERE id = $1 AND deleted_at IS NULL", series_id
    )
    return None if row is None else _series(row)


async def select_series_page(
    db: asyncpg.Connection, after: tuple[datetime, UUID] | None, limit: int
) -> list[Series]:
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM series
         WHERE deleted_at IS NULL AND ($1::timestamptz IS NULL OR (created_at, id) > ($1, $2))
         ORDER BY created_at, id
         LIMIT $3
        """,
        *(after or (None, None)),
        limit,
    )
    return [_series(row) for row in rows]


def _cadence_columns(cadence: Cadence | None) -> dict[str, object]:
    """A cadence is stored as two columns."""
    return {
        "cadence_rrule": None if cadence is None else cadence.rrule,
        "cadence_timezone": None if cadence is None else cadence.timezone,
    }


async def insert_series(
    db: asyncpg.Connection, series: SeriesCreate, slug: str, now: datetime
) -> Series:
    cadence = _cadence_columns(series.cadence)
    row = await db.fetchrow(
        f"""
        INSERT INTO series (slug, title, description, cadence_rrule, cadence_timezone, status,
                            visibility, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7)
        RETURNING {_COLUMNS}
        """,
        slug,
        series.title,
        series.description,
        cadence["cadence_rrule"],
        cadence["cadence_timezone"],
        series.status,
        now,
        series.visibility,
    )
    return _series(row)


async def update_series(
    db: asyncpg.Connection, series_id: UUID, update: SeriesUpdate, now: datetime
) -> Series:
    columns = given(update)
    if not isinstance(update.cadence, msgspec.UnsetType):
        del columns["cadence"]
        columns |= _cadence_columns(update.cadence)
    clause, values = assignments(columns, 3)
    row = await db.fetchrow(
        f"""
        UPDATE series SET {clause}, version = version + 1, updated_at = $2
         WHERE id = $1
        RETURNING {_COLUMNS}
        """,
        series_id,
        now,
        *values,
    )
    return _series(row)


async def select_series_for_update(db: asyncpg.Connection, series_id: UUID) -> int | None:
    """Lock a series for a write and return its version."""
    version = await db.fetchval(
        "SELECT version FROM series WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", series_id
    )
    return None if version is None else int(version)


async def series_has_interviews(db: asyncpg.Connection, series_id: UUID) -> bool:
    """Whether interviews that are not in the trash are in the series."""
    return bool(
        await db.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM interviews
                            WHERE series_id = $1 AND deleted_at IS NULL)
            """,
            series_id,
        )
    )
