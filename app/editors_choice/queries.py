"""SQL for the editors' choice list."""

import asyncpg
import msgspec

from app.editors_choice.schemas import Choice


async def select_choices(db: asyncpg.Connection) -> list[Choice]:
    rows = await db.fetch(
        "SELECT interview_id, starts_at, ends_at FROM editors_choice ORDER BY position"
    )
    return [msgspec.convert(row, Choice, from_attributes=True) for row in rows]


async def replace_choices(db: asyncpg.Connection, choices: list[Choice]) -> None:
    await db.execute("DELETE FROM editors_choice")
    await db.executemany(
        """
        INSERT INTO editors_choice (interview_id, position, starts_at, ends_at)
        VALUES ($1, $2, $3, $4)
        """,
        [(c.interview_id, i, c.starts_at, c.ends_at) for i, c in enumerate(choices)],
    )
