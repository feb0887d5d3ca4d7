"""SQL for people."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.db import assignments
from app.people.schemas import Person, PersonCreate, PersonUpdate
from app.schemas import given

_COLUMNS = """
    id, slug, name, headline, bio, affiliation, image, links, version, created_at, updated_at
"""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _person(row: asyncpg.Record) -> Person:
    return msgspec.convert(row, Person, from_attributes=True)


async def select_person(db: asyncpg.Connection, person_id: UUID) -> Person | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM people WHERE id = $1 AND deleted_at IS NULL", person_id
    )
    return None if row is None else _person(row)


async def select_people_page(
    db: asyncpg.Connection, search: str | None, after: tuple[str, UUID] | None, limit: int
) -> list[Person]:
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM people
         WHERE deleted_at IS NULL
           AND ($1::text IS NULL OR name ILIKE '%' || $1 || '%' ESCAPE '\\')
           AND ($2::text IS NULL OR (name, id) > ($2, $3))
         ORDER BY name, id
         LIMIT $4
        """,
        _escape_like(search) if search else None,
        *(after or (None, None)),
        limit,
    )
    return [_person(row) for row in rows]


async def insert_person(
    db: asyncpg.Connection, person: PersonCreate, slug: str, now: datetime
) -> Person:
    row = await db.fetchrow(
        f"""
        INSERT INTO people (slug, name, headline, bio, affiliation, image, links,
                            created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
        RETURNING {_COLUMNS}
        """,
        slug,
        person.name,
        person.headline,
        person.bio,
        person.affiliation,
        person.image,
        person.links,
        now,
    )
    return _person(row)


async def select_person_for_update(db: asyncpg.Connection, person_id: UUID) -> int | None:
    """Lock a person for a write and return their version."""
    version = await db.fetchval(
        "SELECT version FROM people WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", person_id
    )
    return None if version is None else int(version)


async def update_person(
    db: asyncpg.Connection, person_id: UUID, update: PersonUpdate, now: datetime
) -> Person:
    clause, values = assignments(given(update), 3)
    row = await db.fetchrow(
        f"""
        UPDATE people SET {clause}, version = version + 1, updated_at = $2
         WHERE id = $1
        RETURNING {_COLUMNS}
        """,
        person_id,
        now,
        *values,
    )
    return _person(row)


async def person_takes_part(db: asyncpg.Connection, person_id: UUID) -> bool:
    """Whether the person takes part in interviews that are not in the trash."""
    return bool(
        await db.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM interview_participants ip
                             JOIN interviews i ON i.id = ip.interview_id
                            WHERE ip.person_id = $1 AND i.deleted_at IS NULL)
            """,
            person_id,
        )
    )
