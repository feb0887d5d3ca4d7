"""Turning due events into deliveries: one per matching webhook, WebSub pings, and a CDN purge
of what the public view's change touched (app/cdn/purging.py).

Each event is claimed with a row lock that other workers skip, and marked dispatched in the
same transaction as its deliveries are written: it is dispatched exactly once, however many
workers run, and after a crash the transaction simply did not happen.
"""

from datetime import datetime
from urllib.parse import urlencode
from uuid import UUID

import asyncpg
import msgspec

from app.cdn.purging import insert_purge, interview_keys
from app.content.cards import page
from app.content.queries import select_public_interview
from app.content.schemas import PublicInterview
from app.events.queries import (
    DueEvent,
    claim_due_events,
    mark_dispatched,
    select_subscribed_types,
)
from app.outbox import (
    FeedChange,
    InterviewHidden,
    InterviewPublished,
    InterviewUpdated,
    event_type,
)
from app.publication import publish_when_due
from app.settings import Settings
from app.site import Site

BATCH = 50


class UnpublishedInterview(msgspec.Struct):
    """Who an interview was, when the public no longer (or not yet) sees it."""

    id: UUID
    slug: str
    title: str
    status: str


class Announcement(msgspec.Struct, omit_defaults=True):
    """A webhook delivery's body: the event, and the interview as the public sees it; for an
    `interview.updated` that changed its slug, the slug it had."""

    id: UUID
    type: str
    occurred_at: datetime
    interview: PublicInterview | UnpublishedInterview
    previous_slug: str | None = None


async def dispatch_due(pool: asyncpg.Pool, now: datetime, settings: Settings, site: Site) -> int:
    """Dispatch the events due by `now`; how many there were."""
    async with pool.acquire() as db, db.transaction():
        due_events = await claim_due_events(db, now, BATCH)
        if not due_events:
            return 0
        subscribed = await select_subscribed_types(db)
        for due in due_events:
            event = due.event
            if isinstance(event, InterviewPublished):
                await publish_when_due(db, now, event.interview_id)
            hub = settings.websub_hub if isinstance(event, FeedChange) else None
            # Rendered only for someone to send it to: an edit is an event, most have no hook.
            if event_type(type(event)) in subscribed or hub:
                body = await _body(db, due, now, site)
                if body is not None:
                    await _insert_webhook_deliveries(db, due, body, now)
                    if hub:
                        await _insert_websub_pings(db, due, hub, site, now)
            if isinstance(event, FeedChange):
                await insert_purge(db, await interview_keys(db, event.interview_id), now)
        await mark_dispatched(db, [due.id for due in due_events], now)
    return len(due_events)


async def _body(db: asyncpg.Connection, due: DueEvent, now: datetime, site: Site) -> bytes | None:
    """The event with the interview as the public sees it (or who it was, if not public);
    None when there is nothing to announce: the interview has been deleted since, or its series
    is hidden (nothing of it may leak until it is shown, which announces what has appeared)."""
    row = await db.fetchrow(
        """
        SELECT i.id, i.slug, i.title, i.status, s.visibility = 'hidden' AS hidden
          FROM interviews i JOIN series s ON s.id = i.series_id
         WHERE i.id = $1
        """,
        due.event.interview_id,
    )
    if row is None or (row["hidden"] and not isinstance(due.event, InterviewHidden)):
        return None
    unpublished = msgspec.convert(row, UnpublishedInterview, from_attributes=True)
    public = await select_public_interview(db, now, unpublished.slug)
    announcement = Announcement(
        id=due.id,
        type=event_type(type(due.event)),
        occurred_at=due.occurred_at,
        interview=unpublished if public is None else page(public, [], site),
        previous_slug=due.event.previous_slug if isinstance(due.event, InterviewUpdated) else None,
    )
    return msgspec.json.encode(announcement)


async def _insert_webhook_deliveries(
    db: asyncpg.Connection, due: DueEvent, body: bytes, now: datetime
) -> None:
    await db.execute(
        """
        INSERT INTO deliveries (event_id, webhook_id, target_url, content_type, body,
                                next_attempt_at, created_at, updated_at)
        SELECT $1, w.id, w.url, 'application/json', $2, $3, $3, $3
          FROM webhooks w
         WHERE w.active AND $4 = ANY (w.event_types)
        """,
        due.id,
        body,
        now,
        event_type(type(due.event)),
    )


async def _insert_websub_pings(
    db: asyncpg.Connection, due: DueEvent, hub: str, site: Site, now: datetime
) -> None:
    """One ping per feed the event changes: everything, the series, each participant."""
    scopes = ["all", *await _scopes(db, due.event.interview_id)]
    topics = [url for scope in scopes for url in msgspec.structs.astuple(site.feeds(scope))]
    await db.executemany(
        """
        INSERT INTO deliveries (event_id, target_url, content_type, body,
                                next_attempt_at, created_at, updated_at)
        VALUES ($1, $2, 'application/x-www-form-urlencoded', $3, $4, $4, $4)
        """,
        [
            (due.id, hub, urlencode({"hub.mode": "publish", "hub.url": topic}).encode(), now)
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
