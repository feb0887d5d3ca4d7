"""The events of an interview's life, and the outbox they are written to.

An event is written in the transaction of the change it announces, so that it is recorded if and
only if the change is; the worker (app.events) dispatches it from there to the webhooks that
subscribed to its type and to the WebSub hub. Its type is its tag: `EVENT_TYPES`, which
subscriptions choose from, is read from the union, so a new event is one new class.
"""

from datetime import datetime
from typing import get_args
from uuid import UUID

import asyncpg
import msgspec


class _Event(msgspec.Struct, kw_only=True, tag_field="type"):
    interview_id: UUID


class InterviewScheduled(_Event, tag="interview.scheduled"):
    """Given a publication time, having had none."""


class InterviewRescheduled(_Event, tag="interview.rescheduled"):
    """Given another publication time."""


class InterviewUnscheduled(_Event, tag="interview.unscheduled"):
    """Taken back to draft before its time came."""


class InterviewPublished(_Event, tag="interview.published"):
    """Public: at once, or due at its publication time when it was scheduled."""


class InterviewUpdated(_Event, tag="interview.updated"):
    """What the public sees of it has changed; `previous_slug` is the slug it had, when the
    change gave it another (its old URL redirects to the new one)."""

    previous_slug: str | None = None


class InterviewWithdrawn(_Event, tag="interview.withdrawn"):
    """No longer public: its URL answers 410 Gone."""


class InterviewHidden(_Event, tag="interview.hidden"):
    """No longer public because its series was hidden: its URL answers 404 until the series is
    shown again (then it is published anew)."""


InterviewEvent = (
    InterviewScheduled
    | InterviewRescheduled
    | InterviewUnscheduled
    | InterviewPublished
    | InterviewUpdated
    | InterviewWithdrawn
    | InterviewHidden
)
# After these a feed reads differently, and so the WebSub hub is told.
FeedChange = InterviewPublished | InterviewUpdated | InterviewWithdrawn | InterviewHidden


def event_type(kind: type[msgspec.Struct]) -> str:
    """The type of the events of class `kind`: its tag."""
    tag = kind.__struct_config__.tag
    assert isinstance(tag, str)
    return tag


EVENT_TYPES = tuple(event_type(kind) for kind in get_args(InterviewEvent))


async def insert_event(
    db: asyncpg.Connection, event: InterviewEvent, now: datetime, due_at: datetime | None = None
) -> None:
    """Record an event; `due_at` defers it (a scheduled publication is due at its time)."""
    await db.execute(
        """
        INSERT INTO events (type, interview_id, occurred_at, due_at, previous_slug)
        VALUES ($1, $2, $3::timestamptz, coalesce($4::timestamptz, $3::timestamptz), $5)
        """,
        event_type(type(event)),
        event.interview_id,
        now,
        due_at,
        event.previous_slug if isinstance(event, InterviewUpdated) else None,
    )


async def cancel_pending_publication(
    db: asyncpg.Connection, interview_id: UUID, now: datetime | None
) -> None:
    """Drop the scheduled publication that has not happened yet (unscheduled or moved).

    One whose time has come happened, announced or not, and still goes out; with `now`
    None (the interview is deleted) every pending one goes."""
    await db.execute(
        """
        DELETE FROM events
         WHERE interview_id = $1 AND type = $2 AND dispatched_at IS NULL
           AND ($3::timestamptz IS NULL OR due_at > $3)
        """,
        interview_id,
        event_type(InterviewPublished),
        now,
    )
