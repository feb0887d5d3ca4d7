"""SQL for the trash: rows of interviews, series and people marked deleted (`deleted_at`).

Every other query reads only rows that are not in the trash. Each kind is also its table's name,
so the table in these statements is always one of three known names, never the client's text.
"""

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from app.slugs import KINDS
from app.trash.schemas import Kind, TrashItem

# Each kind's rows in the trash as items: a person's name is their title.
_ITEMS = """
    SELECT 'interviews' AS kind, id, title, slug, deleted_at, deleted_by
      FROM interviews WHERE deleted_at IS NOT NULL
    UNION ALL
    SELECT 'series', id, title, slug, deleted_at, deleted_by
      FROM series WHERE deleted_at IS NOT NULL
    UNION ALL
    SELECT 'people', id, name, slug, deleted_at, deleted_by
      FROM people WHERE deleted_at IS NOT NULL
"""


async def select_trash_page(
    db: asyncpg.Connection,
    kind: Kind | None,
    before: tuple[datetime, UUID] | None,
    limit: int,
    kept_for: timedelta,
) -> list[TrashItem]:
    """Newest first (by when it was deleted)."""
    rows = await db.fetch(
        f"""
        SELECT t.*, t.deleted_at + $5::interval AS purge_at FROM ({_ITEMS}) AS t
         WHERE ($1::text IS NULL OR t.kind = $1)
           AND ($2::timestamptz IS NULL OR (t.deleted_at, t.id) < ($2, $3))
         ORDER BY t.deleted_at DESC, t.id DESC
         LIMIT $4
        """,
        kind,
        *(before or (None, None)),
        limit,
        kept_for,
    )
    return [msgspec.convert(row, TrashItem, from_attributes=True) for row in rows]


async def trash_row(
    db: asyncpg.Connection, kind: Kind, item_id: UUID, now: datetime, token_id: UUID
) -> None:
    await db.execute(
        f"UPDATE {kind} SET deleted_at = $2, deleted_by = $3 WHERE id = $1",
        item_id,
        now,
        token_id,
    )


class Trashed(msgspec.Struct, kw_only=True):
    """An item in the trash as a restore or a purge needs it; status and author are an
    interview's."""

    slug: str
    status: str | None
    created_by: UUID | None


async def select_trashed_for_update(
    db: asyncpg.Connection, kind: Kind, item_id: UUID
) -> Trashed | None:
    """Lock an item that is in the trash."""
    columns = (
        "status, created_by" if kind is Kind.interviews else "NULL AS status, NULL AS created_by"
    )
    row = await db.fetchrow(
        f"""
        SELECT slug, {columns} FROM {kind}
         WHERE id = $1 AND deleted_at IS NOT NULL
           FOR UPDATE
        """,
        item_id,
    )
    return None if row is None else msgspec.convert(row, Trashed, from_attributes=True)


async def select_trashed_among(db: asyncpg.Connection, kind: Kind, ids: list[UUID]) -> list[str]:
    """The slugs of those of these series or people that are in the trash. Every one of them is
    locked until the transaction ends, so that none moves into or out of the trash meanwhile
    (deleting or restoring one locks it for update)."""
    rows = await db.fetch(
        f"""
        SELECT slug, deleted_at IS NOT NULL AS trashed FROM {kind}
         WHERE id = ANY($1::uuid[])
         ORDER BY slug
           FOR SHARE
        """,
        ids,
    )
    return [row["slug"] for row in rows if row["trashed"]]


async def select_interview_needs(
    db: asyncpg.Connection, interview_id: UUID
) -> tuple[UUID, list[UUID]]:
    """The series an interview is in and the people who take part in it."""
    row = await db.fetchrow(
        """
        SELECT i.series_id,
               ARRAY(SELECT person_id FROM interview_participants
                      WHERE interview_id = i.id ORDER BY position) AS people
          FROM interviews i WHERE i.id = $1
        """,
        interview_id,
    )
    return row["series_id"], list(row["people"])


async def slug_is_taken(db: asyncpg.Connection, kind: Kind, slug: str) -> bool:
    """Whether another holds `slug`, as theirs or as an old slug that still leads to them."""
    return bool(
        await db.fetchval(
            f"""
            SELECT EXISTS (SELECT 1 FROM {kind} WHERE slug = $1 AND deleted_at IS NULL)
                OR EXISTS (SELECT 1 FROM old_slugs WHERE kind = $2 AND slug = $1)
            """,
            slug,
            KINDS[kind],
        )
    )


async def restore_row(db: asyncpg.Connection, kind: Kind, item_id: UUID, slug: str) -> None:
    await db.execute(
        f"UPDATE {kind} SET deleted_at = NULL, deleted_by = NULL, slug = $2 WHERE id = $1",
        item_id,
        slug,
    )


async def named_by_interviews(db: asyncpg.Connection, kind: Kind, item_id: UUID) -> bool:
    """Whether an interview (one in the trash: no other may) is in this series or has this
    person take part."""
    if kind is Kind.series:
        statement = "SELECT EXISTS (SELECT 1 FROM interviews WHERE series_id = $1)"
    else:
        statement = "SELECT EXISTS (SELECT 1 FROM interview_participants WHERE person_id = $1)"
    return bool(await db.fetchval(statement, item_id))


async def delete_row(db: asyncpg.Connection, kind: Kind, item_id: UUID) -> None:
    """Delete for good; an interview's participants, quotes, teasers, revisions, views, preview
    links and editors' choice pick go with it (ON DELETE CASCADE)."""
    await db.execute(f"DELETE FROM {kind} WHERE id = $1", item_id)


async def delete_preview_tokens(db: asyncpg.Connection, interview_id: UUID) -> None:
    await db.execute("DELETE FROM preview_tokens WHERE interview_id = $1", interview_id)


async def purge_trash(db: asyncpg.Connection, deleted_before: datetime) -> None:
    """Purge what was deleted before `deleted_before`: interviews first, then the series and
    people that no interview in the trash still names (the others wait for those interviews)."""
    await db.execute("DELETE FROM interviews WHERE deleted_at < $1", deleted_before)
    await db.execute(
        """
        DELETE FROM series s
         WHERE s.deleted_at < $1
           AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.series_id = s.id)
        """,
        deleted_before,
    )
    await db.execute(
        """
        DELETE FROM people p
         WHERE p.deleted_at < $1
           AND NOT EXISTS (SELECT 1 FROM interview_participants ip WHERE ip.person_id = p.id)
        """,
        deleted_before,
    )
