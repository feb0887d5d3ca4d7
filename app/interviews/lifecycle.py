"""Draft -> scheduled -> published -> withdrawn, and who may change what on the way."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from app.auth import Actor, Role
from app.errors import ProblemError, not_found
from app.etags import ensure_version
from app.interviews.outbox import (
    InterviewPublished,
    InterviewRescheduled,
    InterviewScheduled,
    InterviewUnscheduled,
    InterviewUpdated,
    InterviewWithdrawn,
    cancel_pending_publication,
    insert_event,
)
from app.interviews.queries import (
    LockedInterview,
    count_interviewees,
    select_interview_for_update,
    update_interview,
)

Action = Literal["schedule", "publish", "unschedule", "withdraw"]

TRANSITIONS: dict[str, tuple[Action, ...]] = {
    "draft": ("schedule", "publish"),
    "scheduled": ("schedule", "unschedule", "publish"),
    "published": ("withdraw",),
    "withdrawn": ("schedule", "publish"),
}


async def lock_for_edit(
    db: asyncpg.Connection, interview_id: UUID, now: datetime, actor: Actor, if_match: int | None
) -> LockedInterview:
    """Lock an interview that this actor may edit, at the version the client saw.

    Contributors write their own drafts, and nothing else: not a colleague's draft, not what
    an editor has scheduled or published."""
    locked = await select_interview_for_update(db, interview_id, now)
    if locked is None:
        raise not_found("interview")
    ensure_version(if_match, locked.version)
    if actor.role is Role.contributor:
        if locked.status != "draft":
            raise ProblemError(
                403, f"contributors may edit drafts only; this one is {locked.status}"
            )
        if locked.created_by != actor.token_id:
            raise ProblemError(403, "contributors may edit only the drafts they created")
    return locked


async def note_public_edit(
    db: asyncpg.Connection, interview_id: UUID, locked: LockedInterview, now: datetime
) -> None:
    """An edit of what the public sees is an `interview.updated` event."""
    if locked.status == "published":
        await insert_event(db, InterviewUpdated(interview_id=interview_id), now)


async def change_status(
    db: asyncpg.Connection,
    interview_id: UUID,
    action: Action,
    now: datetime,
    actor: Actor,
    if_match: int | None,
    publish_at: datetime | None = None,
) -> None:
    """Apply one lifecycle action, or explain (409) which ones the current status allows."""
    async with db.transaction():
        locked = await lock_for_edit(db, interview_id, now, actor, if_match)
        allowed = TRANSITIONS[locked.status]
        if action not in allowed:
            raise ProblemError(
                409,
                f"cannot {action} an interview that is {locked.status}; "
                f"allowed: {', '.join(allowed)}",
                field="status",
                allowed=list(allowed),
            )
        if action in ("schedule", "publish") and await count_interviewees(db, interview_id) == 0:
            raise ProblemError(
                422, "add at least one interviewee before scheduling or publishing",
                field="participants",
            )  # fmt: skip
        await update_interview(db, interview_id, _changes(action, locked, now, publish_at), now)
        await _record_events(db, interview_id, action, locked.status, now, publish_at)


async def _record_events(
    db: asyncpg.Connection,
    interview_id: UUID,
    action: Action,
    status: str,
    now: datetime,
    publish_at: datetime | None,
) -> None:
    """The outbox entries of one lifecycle action, in its transaction."""
    if action != "withdraw":
        await cancel_pending_publication(db, interview_id, now)
    match action:
        case "schedule":
            kind = InterviewRescheduled if status == "scheduled" else InterviewScheduled
            await insert_event(db, kind(interview_id=interview_id), now)
            await insert_event(db, InterviewPublished(interview_id=interview_id), now, publish_at)
        case "publish":
            await insert_event(db, InterviewPublished(interview_id=interview_id), now)
        case "unschedule":
            await insert_event(db, InterviewUnscheduled(interview_id=interview_id), now)
        case "withdraw":
            await insert_event(db, InterviewWithdrawn(interview_id=interview_id), now)


def _changes(
    action: Action, locked: LockedInterview, now: datetime, publish_at: datetime | None
) -> dict[str, Any]:
    match action:
        case "schedule":
            assert publish_at is not None
            if publish_at <= now:
                raise ProblemError(422, "publish_at must be in the future", field="publish_at")
            return {"status": "scheduled", "publish_at": publish_at, "withdrawn_at": None}
        case "publish":
            # A republished interview keeps its first publication time, as WordPress does.
            return {
                "status": "published",
                "published_at": locked.published_at or now,
                "publish_at": None,
                "withdrawn_at": None,
            }
        case "unschedule":
            return {"status": "draft", "publish_at": None}
        case "withdraw":
            return {
                "status": "withdrawn",
                "withdrawn_at": now,
                "published_at": locked.published_at or now,
            }
