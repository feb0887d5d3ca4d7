"""SQL for preview tokens and for who may preview what."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.interviews.schemas import InterviewStatus
from app.publication import EFFECTIVE_STATUS


class Authorship(msgspec.Struct, kw_only=True):
    status: InterviewStatus  # the effective one
    created_by: UUID | None


async def select_authorship(
    db: asyncpg.Connection, now: datetime, interview_id: UUID
) -> Authorship | None:
    row = await db.fetchrow(
        f"""
        SELECT {EFFECTIVE_STATUS} AS status, i.created_by FROM interviews i
         WHERE i.id = $2 AND i.deleted_at IS NULL
        """,
        now,
        interview_id,
    )
    return None if row is None else msgspec.convert(row, Authorship, from_attributes=True)


async def insert_preview_token(
    db: asyncpg.Connection,
    token_hash: bytes,
    interview_id: UUID,
    created_by: UUID,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Whether the token was stored: not if the interview was deleted (or trashed) meanwhile."""
    stored = await db.fetchval(
        """
        INSERT INTO preview_tokens (token_hash, interview_id, created_by, created_at, expires_at)
        SELECT $1, id, $3, $4, $5 FROM interviews WHERE id = $2 AND deleted_at IS NULL
        RETURNING true
        """,
        token_hash,
        interview_id,
        created_by,
        now,
        expires_at,
    )
    return bool(stored)


async def delete_expired_preview_tokens(db: asyncpg.Connection, now: datetime) -> None:
    await db.execute("DELETE FROM preview_tokens WHERE expires_at <= $1", now)
