"""SQL for the Admin API's tokens: listing, revoking, counting (making and checking them is
app.auth's)."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.auth import TOKEN_COLUMNS, Token


async def select_tokens(db: asyncpg.Connection) -> list[Token]:
    rows = await db.fetch(f"SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id")
    return [msgspec.convert(row, Token, from_attributes=True) for row in rows]


async def revoke_token(db: asyncpg.Connection, token_id: UUID, now: datetime) -> Token | None:
    row = await db.fetchrow(
        f"""
        UPDATE tokens SET revoked_at = coalesce(revoked_at, $2)
         WHERE id = $1
        RETURNING {TOKEN_COLUMNS}
        """,
        token_id,
        now,
    )
    return None if row is None else msgspec.convert(row, Token, from_attributes=True)


async def count_tokens(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM tokens"))
