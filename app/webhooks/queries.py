"""SQL for webhook subscriptions and the delivery log."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.db import assignments
from app.schemas import given
from app.webhooks.schemas import Delivery, Webhook, WebhookCreate, WebhookUpdate

_COLUMNS = "id, url, event_types, active, created_at, updated_at"


def _webhook(row: asyncpg.Record) -> Webhook:
    return msgspec.convert(row, Webhook, from_attributes=True)


async def select_webhooks(db: asyncpg.Connection) -> list[Webhook]:
    rows = await db.fetch(f"SELECT {_COLUMNS} FROM webhooks ORDER BY created_at, id")
    return [_webhook(row) for row in rows]


async def select_webhook(db: asyncpg.Connection, webhook_id: UUID) -> Webhook | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM webhooks WHERE id = $1", webhook_id)
    return None if row is None else _webhook(row)


async def insert_webhook(
    db: asyncpg.Connection, webhook: WebhookCreate, secret: str, now: datetime
) -> Webhook:
    row = await db.fetchrow(
        f"""
        INSERT INTO webhooks (url, event_types, active, secret, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $5)
        RETURNING {_COLUMNS}
        """,
        webhook.url,
        webhook.event_types,
        webhook.active,
        secret,
        now,
    )
    return _webhook(row)


async def update_webhook(
    db: asyncpg.Connection, webhook_id: UUID, update: WebhookUpdate, now: datetime
) -> Webhook | None:
    clause, values = assignments({**given(update), "updated_at": now}, 2)
    row = await db.fetchrow(
        f"UPDATE webhooks SET {clause} WHERE id = $1 RETURNING {_COLUMNS}", webhook_id, *values
    )
    return None if row is None else _webhook(row)


async def delete_webhook(db: asyncpg.Connection, webhook_id: UUID) -> bool:
    return bool(await db.execute("DELETE FROM webhooks WHERE id = $1", webhook_id) != "DELETE 0")


async def select_deliveries(db: asyncpg.Connection, webhook_id: UUID, limit: int) -> list[Delivery]:
    """The newest deliveries of a subscription, each with every attempt made."""
    rows = await db.fetch(
        """
        SELECT d.id, d.event_id, e.type AS event_type, d.status, d.attempts,
               d.next_attempt_at, d.created_at,
               coalesce((SELECT jsonb_agg(jsonb_build_object(
                                    'attempted_at', a.attempted_at, 'status_code', a.status_code,
                                    'duration_ms', a.duration_ms, 'error', a.error)
                                 ORDER BY a.id)
                           FROM delivery_attempts a WHERE a.delivery_id = d.id), '[]') AS log
          FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.webhook_id = $1
         ORDER BY d.created_at DESC, d.id DESC
         LIMIT $2
        """,
        webhook_id,
        limit,
    )
    return [msgspec.convert(row, Delivery, from_attributes=True) for row in rows]


async def requeue_delivery(db: asyncpg.Connection, delivery_id: UUID, now: datetime) -> bool:
    """Send a delivery again now, whatever became of it."""
    status = await db.execute(
        """
        UPDATE deliveries SET status = 'pending', next_attempt_at = $2, updated_at = $2
         WHERE id = $1 AND webhook_id IS NOT NULL
        """,
        delivery_id,
        now,
    )
    return bool(status != "UPDATE 0")
