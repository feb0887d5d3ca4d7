"""Turning due events into deliveries: one per matching webhook, and WebSub pings.

Each event is claimed with a row lock that other workers skip, and marked dispatched in the
same transaction as its deliveries are written: it is dispatched exactly once, however many
workers run, and after a crash the transaction simply did not happen.
"""

from datetime import datetime
from urllib.parse import urlencode
from uuid import UUID

import asyncpg
import msgspec

from app.content.cards import page
from app.content.queries import select_public_interview
from app.events.queries import Event, claim_due_events, mark_dispatched
from app.interviews.publication import publish_when_due
from app.settings import Settings
from app.site import Site

BATCH = 50
# Events after which a feed reads differently, and so the hub is told.
FEED_CHANGES = {"interview.published", "interview.updated", "interview.withdrawn"}


async def dispatch_due(pool: asyncpg.Pool, now: datetime, settings: Settings, site: Site) -> int:
    """Dispatch the events due by `now`; how many there were."""
    async with pool.acquire() as db, db.transaction():
        events = await claim_due_events(db, now, BATCH)
        for event in events:
            if event.type == "interview.published":
                await publish_when_due(db, now, event.interview_id)
            body = await _body(db, event, now, site)
            if body is not None:
                await _insert_webhook_deliveries(db, event, body, now)
                if settings.websub_hub and event.type in FEED_CHANGES:
                    await _insert_websub_pings(db, event, settings.websub_hub, site, now)
            await mark_dispatched(db, event.id, now)
    return len(events)


async def _body(db: asyncpg.Connection, event: Event, now: datetime, site: Site) -> bytes | None:
    """The event with the interview as the public sees it (or who it was, if not public);
    None when the interview has been deleted since: there is nothing left to announce."""
    row = await db.fetchrow(
        "SELECT slug, title, status FROM interviews WHERE id = $1", event.interview_id
    )
    if row is None:
        return None
    public = await select_public_interview(db, now, row["slug"])
    interview = (
        page(public, [], site)
        if public
        else {"id": event.interview_id, "slug": row["slug"], "title": row["title"],
              "status": row["status"]}
    )  # fmt: skip
    return msgspec.json.encode(
        {
            "id": event.id,
            "type": event.type,
            "occurred_at": event.occurred_at,
            "interview": interview,
        }
    )


async def _insert_webhook_deliveries(
    db: asyncpg.Connection, event: Event, body: bytes, now: datetime
) -> None:
    await db.execute(
        """
        INSERT INTO deliveries (event_id, webhook_id, target_url, content_type, body,
                                next_attempt_at, created_at, updated_at)
        SELECT $1, w.id, w.url, 'application/json', $2, $3, $3, $3
          FROM webhooks w
         WHERE w.active AND $4 = ANY (w.event_types)
        """,
        event.id, body, now, event.type,
    )  # fmt: skip


async def _insert_websub_pings(
    db: asyncpg.Connection, event: Event, hub: str, site: Site, now: datetime
) -> None:
    """One ping per feed the event changes: everything, the series, each participant."""
    scopes = ["all", *await _scopes(db, event.interview_id)]
    topics = [url for scope in scopes for url in msgspec.structs.astuple(site.feeds(scope))]
    await db.executemany(
        """
        INSERT INTO deliveries (event_id, target_url, content_type, body,
                                next_attempt_at, created_at, updated_at)
        VALUES ($1, $2, 'application/x-www-form-urlencoded', $3, $4, $4, $4)
        """,
        [
            (event.id, hub, urlencode({"hub.mode": "publish", "hub.url": topic}).encode(), now)
            for topic in topics
        ],
    )


async def _scopes(db: asyncpg.Connection, interview_id: UUID) -> list[str]:
    rows = await db.fetch(
        """
        SELECT 'series/' || s.slug AS scope FROM interviews i JOIN series s ON s.id = i.series_id
         WHERE i.id = $1
        UNION ALL
        SELECT 'people/' || p.slug
          FROM interview_participants ip JOIN people p ON p.id = ip.person_id
         WHERE ip.interview_id = $1
        """,
        interview_id,
    )
    return [row["scope"] for row in rows]
