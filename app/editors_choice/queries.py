"""SQL for the editors' choice list."""

import asyncpg
import msgspec

from app.editors_choice.schemas import Choice
from app.errors import ProblemError
from app.trash.queries import select_trashed_among
from app.trash.schemas import Kind


async def select_choices(db: asyncpg.Connection) -> list[Choice]:
    """The picks of interviews that are not in the trash (a restored one is picked again)."""
    rows = await db.fetch(
        """
        SELECT c.interview_id, c.starts_at, c.ends_at
          FROM editors_choice c JOIN interviews i ON i.id = c.interview_id
         WHERE i.deleted_at IS NULL
         ORDER BY c.position
        """
    )
    return [msgspec.convert(row, Choice, from_attributes=True) for row in rows]


async def replace_choices(db: asyncpg.Connection, choices: list[Choice]) -> None:
    # An interview in the trash is no interview, as the foreign key says of one not there.
    if await select_trashed_among(db, Kind.interviews, [c.interview_id for c in choices]):
        raise ProblemError(422, "no such interview", field="interview_id")
    await db.execute("DELETE FROM editors_choice")
    await db.executemany(
        """
        INSERT INTO editors_choice (interview_id, position, starts_at, ends_at)
        VALUES ($1, $2, $3, $4)
        """,
        [(c.interview_id, i, c.starts_at, c.ends_at) for i, c in enumerate(choices)],
    )
