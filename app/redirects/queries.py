"""SQL for old slugs (kept by the triggers of migration 0013) of what the public sees."""

from datetime import datetime

import asyncpg
import msgspec

from app.publication import PUBLIC
from app.redirects.schemas import Kind

# Each old slug of a public interview, series or person, with the slug it leads to ($1 is now).
# A series or person is public as select_series_by_slug and select_public_person say
# (app/content/queries.py); one query serves both the lookup and the list, so they agree.
_PUBLIC_REDIRECTS = f"""
    SELECT o.kind, o.slug AS from_slug, i.slug AS to_slug, o.changed_at
      FROM old_slugs o JOIN interviews i ON i.id = o.interview_id
     WHERE {PUBLIC}
    UNION ALL
    SELECT o.kind, o.slug, s.slug, o.changed_at
      FROM old_slugs o JOIN series s ON s.id = o.series_id
     WHERE s.visibility <> 'hidden' AND s.deleted_at IS NULL
    UNION ALL
    SELECT o.kind, o.slug, p.slug, o.changed_at
      FROM old_slugs o JOIN people p ON p.id = o.person_id
     WHERE p.deleted_at IS NULL
       AND EXISTS (SELECT 1 FROM interview_participants ip
                     JOIN interviews i ON i.id = ip.interview_id
                    WHERE ip.person_id = p.id AND {PUBLIC})
"""


class RedirectRow(msgspec.Struct, kw_only=True):
    kind: Kind
    from_slug: str
    to_slug: str
    changed_at: datetime


async def select_new_slug(
    db: asyncpg.Connection, now: datetime, kind: Kind, slug: str
) -> str | None:
    """The current slug of the public `kind` that `slug` was once the slug of."""
    new_slug: str | None = await db.fetchval(
        f"SELECT to_slug FROM ({_PUBLIC_REDIRECTS}) r WHERE kind = $2 AND from_slug = $3",
        now,
        kind,
        slug,
    )
    return new_slug


# The table of each kind, and the column of old_slugs that names its rows.
_OWNERS: dict[Kind, tuple[str, str]] = {
    "interview": ("interviews", "interview_id"),
    "series": ("series", "series_id"),
    "person": ("people", "person_id"),
}


async def select_newsroom_slug(db: asyncpg.Connection, kind: Kind, slug: str) -> str | None:
    """The current slug of the `kind`, public or not (not in the trash), that once had `slug`:
    for the newsroom's own routes."""
    table, column = _OWNERS[kind]
    new_slug: str | None = await db.fetchval(
        f"""
        SELECT t.slug FROM old_slugs o JOIN {table} t ON t.id = o.{column}
         WHERE o.kind = $1 AND o.slug = $2 AND t.deleted_at IS NULL
        """,
        kind,
        slug,
    )
    return new_slug


async def select_redirect_page(
    db: asyncpg.Connection,
    now: datetime,
    since: datetime | None,
    after: tuple[datetime, str, str] | None,
    limit: int,
) -> list[RedirectRow]:
    """Redirects changed at or after `since`, oldest change first, after the key `after`."""
    rows = await db.fetch(
        f"""
        SELECT kind, from_slug, to_slug, changed_at FROM ({_PUBLIC_REDIRECTS}) r
         WHERE ($2::timestamptz IS NULL OR changed_at >= $2)
           AND ($3::timestamptz IS NULL OR (changed_at, kind, from_slug) > ($3, $4, $5))
         ORDER BY changed_at, kind, from_slug
         LIMIT $6
        """,
        now,
        since,
        *(after or (None, None, None)),
        limit,
    )
    return [msgspec.convert(row, RedirectRow, from_attributes=True) for row in rows]
