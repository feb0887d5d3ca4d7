"""SQL for API tokens."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec


class Token(msgspec.Struct):
    """An API token as listed; the secret itself is never stored."""

    id: UUID
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


_COLUMNS = "id, name, role, created_at, last_used_at, revoked_at"


async def insert_token(
    db: asyncpg.Connection, name: str, role: str, secret_hash: bytes, now: datetime
) -> Token:
    row = await db.fetchrow(
        f"""
        INSERT INTO tokens (name, role, secret_hash, created_at)
        VALUES ($1, $2, $3, $4)
        RETURNING {_COLUMNS}
        """,
        name, role, secret_hash, now,
    )  # fmt: skip
    return msgspec.convert(row, Token, from_attributes=True)


async def select_active_token_by_hash(db: asyncpg.Connection, secret_hash: bytes) -> Token | None:
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM tokens WHERE secret_hash = $1 AND revoked_at IS NULL",
        secret_hash,
    )
    return None if row is None else msgspec.convert(row, Token, from_attributes=True)


async def touch_token(db: asyncpg.Connection, token_id: UUID, now: datetime) -> None:
    # At most one write a minute per token, so that reads do not each cost a write.
    await db.execute(
        """
        UPDATE tokens SET last_used_at = $2
         WHERE id = $1
           AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')
        """,
        token_id, now,
    )  # fmt: skip


async def select_tokens(db: asyncpg.Connection) -> list[Token]:
    rows = await db.fetch(f"SELECT {_COLUMNS} FROM tokens ORDER BY created_at, id")
    return [msgspec.convert(row, Token, from_attributes=True) for row in rows]


async def revoke_token(db: asyncpg.Connection, token_id: UUID, now: datetime) -> Token | None:
    row = await db.fetchrow(
        f"""
        UPDATE tokens SET revoked_at = coalesce(revoked_at, $2)
         WHERE id = $1
        RETURNING {_COLUMNS}
        """,
        token_id, now,
    )  # fmt: skip
    return None if row is None else msgspec.convert(row, Token, from_attributes=True)


async def count_tokens(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM tokens"))
