"""Revisions: the whole interview as it stood after each change, who made it and what changed.

app.interviews.lifecycle records one in the transaction of every change, after the change, so a
revision exists exactly when its change does. A revision keeps the admin Interview as the API
gives it (structured JSON: the body's blocks, not rendered HTML) and names its token by id.

An editor whose client saves every few seconds would leave a revision per pause in typing, so
saves of a draft by the same token fold into the revision they started while it is younger than
the fold window (COLLOQUY_REVISION_FOLD_SECONDS; measured from its first save, so that a long
session still leaves a revision every window). Only `edited` revisions take saves folded in: a
creation, a status change or a restore stays as it was made, and every edit of an interview that
is not a draft is a revision of its own.

An interview made before revisions were kept gets, at its first change, a revision of how it
stood until then, so that nothing it held is lost to the change.
"""

from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request

from app.auth import Actor, Role
from app.errors import ProblemError, not_found
from app.interviews.queries import (
    LockedInterview,
    count_interviewees,
    replace_participants,
    replace_teasers,
    select_interview,
    select_pull_quotes,
)
from app.interviews.rules import check_quotes_still_hold, prepare_body
from app.interviews.schemas import Interview, InterviewUpdate, ParticipantIn
from app.publication import EFFECTIVE_STATUS
from app.schemas import Base

RevisionAction = Literal["created", "edited", "status", "restored"]

# An interview's content, in the order a summary names it. Its status and publication times are
# the lifecycle's: a status change is summarised by what was done.
CONTENT_FIELDS = (
    "series_id",
    "slug",
    "title",
    "standfirst",
    "body",
    "image",
    "tags",
    "participants",
    "pull_quotes",
    "teasers",
)
UNCHANGED = "no change"  # a write that gave what was already there still counts a version
BEFORE_REVISIONS = "as it stood before revisions were kept"


class Revision(Base):
    """One revision, without the interview it holds: `updated_at` is the last save folded into
    it, `token_name` the name of the token that made it (none once that token is gone)."""

    number: int
    action: RevisionAction
    summary: str
    token_id: UUID | None
    token_name: str | None
    created_at: datetime
    updated_at: datetime


class RevisionWithState(Revision):
    """A revision and the interview as it then stood."""

    interview: Interview


class RevisionList(Base):
    items: list[Revision]
    next_cursor: str | None


class Latest(msgspec.Struct, kw_only=True):
    """What the next revision needs to know of the last one."""

    number: int
    action: RevisionAction
    summary: str
    token_id: UUID | None
    created_at: datetime


async def check_may_read(
    db: asyncpg.Connection, now: datetime, interview_id: UUID, actor: Actor
) -> None:
    """Editors read the revisions of any interview; contributors those of the drafts they
    created, the only ones they may edit."""
    row = await db.fetchrow(
        f"SELECT {EFFECTIVE_STATUS} AS status, i.created_by FROM interviews i WHERE i.id = $2",
        now,
        interview_id,
    )
    if row is None:
        raise not_found("interview")
    if actor.role is Role.contributor and (
        row["status"] != "draft" or row["created_by"] != actor.token_id
    ):
        raise ProblemError(403, "contributors may read the revisions of their own drafts only")


_COLUMNS = """
    r.number, r.action, r.summary, r.token_id, t.name AS token_name, r.created_at, r.updated_at
"""


async def select_revision_page(
    db: asyncpg.Connection, interview_id: UUID, before: int | None, limit: int
) -> list[Revision]:
    """Newest first."""
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS}
          FROM interview_revisions r LEFT JOIN tokens t ON t.id = r.token_id
         WHERE r.interview_id = $1 AND ($2::integer IS NULL OR r.number < $2)
         ORDER BY r.number DESC
         LIMIT $3
        """,
        interview_id,
        before,
        limit,
    )
    return [msgspec.convert(row, Revision, from_attributes=True) for row in rows]


async def select_revision(
    db: asyncpg.Connection, interview_id: UUID, number: int
) -> RevisionWithState | None:
    row = await db.fetchrow(
        f"""
        SELECT {_COLUMNS}, r.state AS interview
          FROM interview_revisions r LEFT JOIN tokens t ON t.id = r.token_id
         WHERE r.interview_id = $1 AND r.number = $2
        """,
        interview_id,
        number,
    )
    return None if row is None else msgspec.convert(row, RevisionWithState, from_attributes=True)


async def _select_latest(db: asyncpg.Connection, interview_id: UUID) -> Latest | None:
    row = await db.fetchrow(
        """
        SELECT number, action, summary, token_id, created_at FROM interview_revisions
         WHERE interview_id = $1 ORDER BY number DESC LIMIT 1
        """,
        interview_id,
    )
    return None if row is None else msgspec.convert(row, Latest, from_attributes=True)


async def _insert_revision(
    db: asyncpg.Connection,
    number: int,
    action: RevisionAction,
    summary: str,
    token_id: UUID | None,
    at: datetime,
    state: Interview,
) -> None:
    await db.execute(
        """
        INSERT INTO interview_revisions
               (interview_id, number, action, summary, token_id, created_at, updated_at, state)
        VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
        """,
        state.id,
        number,
        action,
        summary,
        token_id,
        at,
        state,
    )


async def _fold_into(
    db: asyncpg.Connection, number: int, summary: str, at: datetime, state: Interview
) -> None:
    await db.execute(
        """
        UPDATE interview_revisions SET summary = $3, updated_at = $4, state = $5
         WHERE interview_id = $1 AND number = $2
        """,
        state.id,
        number,
        summary,
        at,
        state,
    )


async def record_creation(
    db: asyncpg.Connection, interview_id: UUID, now: datetime, actor: Actor
) -> None:
    """Revision 1: the interview as it was created."""
    interview = await select_interview(db, interview_id, now)
    assert interview is not None  # created in this transaction
    await _insert_revision(db, 1, "created", "created", actor.token_id, now, interview)


def fold_window(request: Request[Any, Any, Any]) -> timedelta:
    """How long saves of a draft fold into one revision, as the app is configured."""
    return timedelta(seconds=request.app.state.settings.revision_fold_seconds)


async def record_revision(
    db: asyncpg.Connection,
    before: Interview,
    after: Interview,
    now: datetime,
    actor: Actor,
    action: RevisionAction,
    summary: str | None = None,
    fold: timedelta = timedelta(0),
) -> None:
    """Record `after` as the next revision, or fold it into the last one (see the module's
    docstring); `summary` defaults to the content fields that differ from `before`."""
    latest = await _select_latest(db, before.id)
    if latest is None:
        await _insert_revision(db, 1, "edited", BEFORE_REVISIONS, None, before.updated_at, before)
        latest = Latest(
            number=1, action="edited", summary="", token_id=None, created_at=before.updated_at
        )
    changed = changed_fields(before, after)
    if action == "edited" and _folds(latest, actor, now, fold):
        folded = _summary([*_fields_named(latest.summary), *changed])
        await _fold_into(db, latest.number, folded, now, after)
        return
    summary = summary or _summary(changed)
    await _insert_revision(db, latest.number + 1, action, summary, actor.token_id, now, after)


def _folds(latest: Latest, actor: Actor, now: datetime, fold: timedelta) -> bool:
    return (
        latest.action == "edited"
        and latest.token_id == actor.token_id
        and now - latest.created_at < fold
    )


def changed_fields(before: Interview, after: Interview) -> list[str]:
    """The content fields in which two states of an interview differ, in CONTENT_FIELDS order.

    Participants are compared by who takes part in which role: a person's name or headline is
    the person's, not a change of the interview."""
    return [name for name in CONTENT_FIELDS if _compared(before, name) != _compared(after, name)]


def _compared(interview: Interview, name: str) -> object:
    if name == "participants":
        return [(p.person_id, p.role) for p in interview.participants]
    return getattr(interview, name)


def _summary(fields: list[str]) -> str:
    named = set(fields)
    return ", ".join(name for name in CONTENT_FIELDS if name in named) or UNCHANGED


def _fields_named(summary: str) -> list[str]:
    """The fields an `edited` revision's summary names (it is written by `_summary`)."""
    return [name for name in summary.split(", ") if name in CONTENT_FIELDS]


async def restored_content(
    db: asyncpg.Connection, interview_id: UUID, locked: LockedInterview, number: int
) -> InterviewUpdate:
    """Put back the participants and teasers of revision `number`; its body and fields, for
    the caller to write. 404 without that revision; 409 for what the interview cannot take now,
    by the checks its edits pass.

    Pull quotes are not put back: each is edited as a resource of its own, and the restored body
    must still hold those the interview has now (else 409, as for a body edit)."""
    state = await _select_state(db, interview_id, number)
    if state is None:
        raise not_found("revision")
    await _check_still_there(db, state, number)
    speakers = {p.person_id for p in state.participants}
    try:
        body = prepare_body(state.body, speakers)
        check_quotes_still_hold(await select_pull_quotes(db, interview_id), body)
        cast = [ParticipantIn(person_id=p.person_id, role=p.role) for p in state.participants]
        await replace_participants(db, interview_id, cast)
        if locked.status != "draft" and await count_interviewees(db, interview_id) == 0:
            raise ProblemError(422, "only a draft may have no interviewee", field="participants")
    except ProblemError as error:
        raise _cannot_restore(number, error) from None
    await replace_teasers(db, interview_id, state.teasers)
    return InterviewUpdate(
        series_id=state.series_id,
        slug=state.slug,
        title=state.title,
        standfirst=state.standfirst,
        body=body,
        image=state.image,  # type: ignore[arg-type]  # as stored: older images have no size
        tags=state.tags,
    )


async def _select_state(
    db: asyncpg.Connection, interview_id: UUID, number: int
) -> Interview | None:
    state = await db.fetchval(
        "SELECT state FROM interview_revisions WHERE interview_id = $1 AND number = $2",
        interview_id,
        number,
    )
    return None if state is None else msgspec.convert(state, Interview)


async def _check_still_there(db: asyncpg.Connection, state: Interview, number: int) -> None:
    """The series and the people of the revision have not been deleted since."""
    row = await db.fetchrow(
        """
        SELECT EXISTS (SELECT 1 FROM series WHERE id = $1 AND deleted_at IS NULL) AS series,
               ARRAY(SELECT unnest($2::uuid[])
                     EXCEPT SELECT id FROM people WHERE deleted_at IS NULL) AS gone
        """,
        state.series_id,
        [p.person_id for p in state.participants],
    )
    if not row["series"]:
        raise _cannot_restore(
            number, ProblemError(409, "its series has since been deleted", field="series_id")
        )
    if row["gone"]:
        names = ", ".join(p.name for p in state.participants if p.person_id in row["gone"])
        detail = f"its participant {names} has since been deleted"
        raise _cannot_restore(number, ProblemError(409, detail, field="participants"))


def _cannot_restore(number: int, error: ProblemError) -> ProblemError:
    """A rule the restored content breaks: a conflict with what the interview is now (409)."""
    field = error.errors[0].field if error.errors else None
    return ProblemError(409, f"revision {number} cannot be restored: {error.detail}", field=field)
