"""Draft -> scheduled -> published -> withdrawn, and who may change what on the way.

Every write of an interview goes through here, each in a transaction of its own: the interview
is locked and read once; then the actor's right to it at the version the client saw, then what
its status allows; then the change, the events that announce it (app.outbox) and the
revision that keeps it (app.interviews.revisions). When it is public is app.publication's to say.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import asyncpg

from app.auth import Actor, Role
from app.errors import ProblemError, not_found
from app.etags import Expected, ensure_version
from app.interviews.queries import (
    LockedInterview,
    StatusChange,
    count_interviewees,
    select_interview,
    select_interview_for_scheduling,
    select_interview_for_update,
    update_interview,
)
from app.interviews.revisions import record_revision, restored_content
from app.interviews.schemas import Interview, InterviewStatus, InterviewUpdate, ScheduleRequest
from app.interviews.slot_choice import choose_publish_at
from app.outbox import (
    InterviewPublished,
    InterviewRescheduled,
    InterviewScheduled,
    InterviewUnscheduled,
    InterviewUpdated,
    InterviewWithdrawn,
    cancel_pending_publication,
    insert_event,
)

Action = Literal["schedule", "publish", "unschedule", "withdraw"]

TRANSITIONS: dict[InterviewStatus, tuple[Action, ...]] = {
    "draft": ("schedule", "publish"),
    "scheduled": ("schedule", "unschedule", "publish"),
    "published": ("withdraw",),
    "withdrawn": ("schedule", "publish"),
}

# Given the interview locked and as it stands, what an edit writes to the interview itself: the
# fields it gives (an edit of its parts gives none, and counts a version all the same), or None
# when it changes nothing at all.
Change = Callable[[LockedInterview, Interview], Awaitable[InterviewUpdate | None]]


def _check_may_edit(locked: LockedInterview, actor: Actor, if_match: Expected) -> None:
    """The client saw this version, and the actor may edit the interview as it is.

    Contributors write their own drafts, and nothing else: not a colleague's draft, not what
    an editor has scheduled or published."""
    ensure_version(if_match, locked.version)
    if actor.role is Role.contributor:
        if locked.status != "draft":
            raise ProblemError(
                403, f"contributors may edit drafts only; this one is {locked.status}"
            )
        if locked.created_by != actor.token_id:
            raise ProblemError(403, "contributors may edit only the drafts they created")


async def lock_for_edit(
    db: asyncpg.Connection, interview_id: UUID, now: datetime, actor: Actor, if_match: Expected
) -> LockedInterview:
    """Lock an interview that this actor may edit, at the version the client saw."""
    locked = await select_interview_for_update(db, now, interview_id)
    if locked is None:
        raise not_found("interview")
    _check_may_edit(locked, actor, if_match)
    return locked


async def _current(db: asyncpg.Connection, interview_id: UUID, now: datetime) -> Interview:
    interview = await select_interview(db, interview_id, now)
    if interview is None:
        raise not_found("interview")
    return interview


async def edit(
    db: asyncpg.Connection,
    interview_id: UUID,
    now: datetime,
    actor: Actor,
    if_match: Expected,
    change: Change,
    fold: timedelta,
) -> Interview:
    """Lock the interview for this actor, apply `change`, and count a new version and revision
    unless it changed nothing; the interview as it now stands. Saves of a draft within `fold`
    may fold into one revision. An edit of what the public sees is an `interview.updated`
    event."""
    async with db.transaction():
        locked = await lock_for_edit(db, interview_id, now, actor, if_match)
        before = await _current(db, interview_id, now)
        update = await change(locked, before)
        if update is None:
            return before
        after = await _write_content(db, locked, before, update, now)
        fold = fold if locked.status == "draft" else timedelta(0)
        await record_revision(db, before, after, now, actor, "edited", fold=fold)
        return after


async def restore(
    db: asyncpg.Connection,
    interview_id: UUID,
    number: int,
    now: datetime,
    actor: Actor,
    if_match: Expected,
) -> Interview:
    """Make the content of revision `number` current again, as a new revision; the interview
    as it now stands. Its status and publication times stay as they are."""
    async with db.transaction():
        locked = await lock_for_edit(db, interview_id, now, actor, if_match)
        before = await _current(db, interview_id, now)
        update = await restored_content(db, interview_id, locked, number)
        after = await _write_content(db, locked, before, update, now)
        summary = f"restored revision {number}"
        await record_revision(db, before, after, now, actor, "restored", summary)
        return after


async def _write_content(
    db: asyncpg.Connection,
    locked: LockedInterview,
    before: Interview,
    update: InterviewUpdate,
    now: datetime,
) -> Interview:
    await update_interview(db, before.id, update, now)
    after = await _current(db, before.id, now)
    if locked.status == "published":
        moved_from = before.slug if after.slug != before.slug else None
        await insert_event(
            db, InterviewUpdated(interview_id=before.id, previous_slug=moved_from), now
        )
    return after


async def change_status(
    db: asyncpg.Connection,
    interview_id: UUID,
    action: Literal["publish", "unschedule", "withdraw"],
    now: datetime,
    actor: Actor,
    if_match: Expected,
) -> None:
    """Publish now, take back to draft, or withdraw."""
    async with db.transaction():
        locked = await lock_for_edit(db, interview_id, now, actor, if_match)
        await _check_transition(db, interview_id, locked.status, action)
        before = await _current(db, interview_id, now)
        await _apply(db, interview_id, action, locked, now)
        await _record_status(db, before, action, locked, now, actor)


async def schedule(
    db: asyncpg.Connection,
    interview_id: UUID,
    request: ScheduleRequest,
    now: datetime,
    actor: Actor,
    if_match: Expected,
) -> datetime:
    """Schedule (or reschedule) publication at the time `request` asks for; that time.

    The series is locked with the interview and stays locked until the schedule is written,
    so that two editors never both get the same free slot. Whether the status allows
    scheduling is known before any slot is looked for."""
    _check_schedule_request(request, now)
    async with db.transaction():
        locked = await select_interview_for_scheduling(db, now, interview_id)
        if locked is None:
            raise not_found("interview")
        _check_may_edit(locked, actor, if_match)
        await _check_transition(db, interview_id, locked.status, "schedule")
        publish_at = await choose_publish_at(db, interview_id, locked.series, request, now)
        before = await _current(db, interview_id, now)
        await _apply(db, interview_id, "schedule", locked, now, publish_at)
        await _record_status(db, before, "schedule", locked, now, actor)
    return publish_at


def _check_schedule_request(request: ScheduleRequest, now: datetime) -> None:
    if request.publish_at is None and request.slot is None:
        raise ProblemError(400, 'give publish_at, or "slot": "next"', field="publish_at")
    if request.publish_at is not None and request.slot is not None:
        raise ProblemError(400, "give publish_at or slot, not both", field="slot")
    if request.publish_at is not None and request.publish_at <= now:
        raise ProblemError(422, "publish_at must be in the future", field="publish_at")


async def _check_transition(
    db: asyncpg.Connection, interview_id: UUID, status: InterviewStatus, action: Action
) -> None:
    """The action is one the status allows (else 409, saying which are), and an interview
    goes public only with an interviewee."""
    allowed = TRANSITIONS[status]
    if action not in allowed:
        raise ProblemError(
            409,
            f"cannot {action} an interview that is {status}; allowed: {', '.join(allowed)}",
            field="status",
            allowed=list(allowed),
        )
    if action in ("schedule", "publish") and await count_interviewees(db, interview_id) == 0:
        detail = "add at least one interviewee before scheduling or publishing"
        raise ProblemError(422, detail, field="participants")


async def _apply(
    db: asyncpg.Connection,
    interview_id: UUID,
    action: Action,
    locked: LockedInterview,
    now: datetime,
    publish_at: datetime | None = None,
) -> None:
    """Write the action and the outbox entries that announce it."""
    await update_interview(db, interview_id, _status_change(action, locked, now, publish_at), now)
    if action != "withdraw":
        await cancel_pending_publication(db, interview_id, now)
    match action:
        case "schedule":
            kind = InterviewRescheduled if locked.status == "scheduled" else InterviewScheduled
            await insert_event(db, kind(interview_id=interview_id), now)
            await insert_event(db, InterviewPublished(interview_id=interview_id), now, publish_at)
        case "publish":
            await insert_event(db, InterviewPublished(interview_id=interview_id), now)
        case "unschedule":
            await insert_event(db, InterviewUnscheduled(interview_id=interview_id), now)
        case "withdraw":
            await insert_event(db, InterviewWithdrawn(interview_id=interview_id), now)


async def _record_status(
    db: asyncpg.Connection,
    before: Interview,
    action: Action,
    locked: LockedInterview,
    now: datetime,
    actor: Actor,
) -> None:
    """A status change is a revision of its own, summarised by what was done."""
    done = {
        "schedule": "rescheduled" if locked.status == "scheduled" else "scheduled",
        "publish": "published",
        "unschedule": "unscheduled",
        "withdraw": "withdrawn",
    }[action]
    after = await _current(db, before.id, now)
    await record_revision(db, before, after, now, actor, "status", done)


def _status_change(
    action: Action, locked: LockedInterview, now: datetime, publish_at: datetime | None
) -> StatusChange:
    match action:
        case "schedule":
            return StatusChange(status="scheduled", publish_at=publish_at, withdrawn_at=None)
        case "publish":
            # A republished interview keeps its first publication time, as WordPress does.
            return StatusChange(
                status="published",
                published_at=locked.published_at or now,
                publish_at=None,
                withdrawn_at=None,
            )
        case "unschedule":
            return StatusChange(status="draft", publish_at=None)
        case "withdraw":
            return StatusChange(
                status="withdrawn", withdrawn_at=now, published_at=locked.published_at or now
            )
