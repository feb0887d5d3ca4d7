"""SQL for the audit trail: reading it newest first, and forgetting what is past retention."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.audit.schemas import AuditEntry


async def select_records(
    db: asyncpg.Connection,
    *,
    actor: UUID | None,
    resource: str | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
    before: tuple[datetime, int] | None,
    limit: int,
) -> list[AuditEntry]:
    """Records newest first; `resource` matches a kind (`interviews`) or an id."""
    rows = await db.fetch(
        """
        SELECT a.id, a.at, a.token_id, t.name AS token_name, a.action, a.resource,
               a.resource_id, a.outcome, a.request_id, a.client
          FROM audit_records a LEFT JOIN tokens t ON t.id = a.token_id
         WHERE ($1::uuid IS NULL OR a.token_id = $1)
           AND ($2::text IS NULL OR a.resource = $2 OR a.resource_id = $2)
           AND ($3::text IS NULL OR a.action = $3)
           AND ($4::timestamptz IS NULL OR a.at >= $4)
           AND ($5::timestamptz IS NULL OR a.at < $5)
           AND ($6::timestamptz IS NULL OR (a.at, a.id) < ($6, $7))
         ORDER BY a.at DESC, a.id DESC
         LIMIT $8
        """,
        actor,
        resource,
        action,
        since,
        until,
        *(before or (None, None)),
        limit,
    )
    return [msgspec.convert(row, AuditEntry, from_attributes=True) for row in rows]


async def delete_records_before(db: asyncpg.Connection, cutoff: datetime) -> None:
    await db.execute("DELETE FROM audit_records WHERE at < $1", cutoff)
