"""Into the trash, out of it, and away for good.

What is in the trash is kept whole (an interview with its participants, quotes, teasers and
revisions) and read by nothing but the trash, so that a restore gives everything back. Three
rules keep what is not in the trash whole too:
- nothing public is trashed: a published interview is withdrawn first, and a scheduled one is
  taken back to draft as it goes (its publication would otherwise come due in the trash). So a
  trashed interview is a draft or withdrawn: never public, in no slot, not on the calendar;
- a series or person goes to the trash only when no interview outside it uses them, and an
  interview comes back only when its series and people are back, so no interview outside the
  trash names anything in it (rows are locked so that two requests cannot cross);
- a series or person is purged only once no interview in the trash names them.
"""

from datetime import datetime
from uuid import UUID

import asyncpg

from app.auth import Actor, Role
from app.errors import ProblemError
from app.interviews.queries import (
    LockedInterview,
    StatusChange,
    select_interview,
    update_interview,
)
from app.interviews.revisions import record_revision
from app.outbox import InterviewUnscheduled, cancel_pending_publication, insert_event
from app.slugs import unique_slug
from app.trash.queries import (
    Trashed,
    delete_preview_tokens,
    delete_row,
    named_by_interviews,
    restore_row,
    select_interview_needs,
    select_trashed_among,
    select_trashed_for_update,
    slug_is_taken,
    trash_row,
)
from app.trash.schemas import Kind, Restored


async def trash_interview(
    db: asyncpg.Connection,
    interview_id: UUID,
    locked: LockedInterview,
    now: datetime,
    actor: Actor,
) -> None:
    """Move a locked interview to the trash, in the caller's transaction. Its preview links
    stop working and do not come back: a restore is followed by new ones if needed."""
    if locked.status == "published":
        raise ProblemError(
            409,
            "the interview is public: withdraw it before deleting it",
            field="status",
            allowed=["withdraw"],
        )
    if locked.status == "scheduled":
        await _unschedule(db, interview_id, now, actor)
    await delete_preview_tokens(db, interview_id)
    await trash_row(db, Kind.interviews, interview_id, now, actor.token_id)


async def _unschedule(
    db: asyncpg.Connection, interview_id: UUID, now: datetime, actor: Actor
) -> None:
    """Take a scheduled interview back to draft, as POST .../unschedule does: announced, and a
    revision of its own."""
    before = await select_interview(db, interview_id, now)
    assert before is not None  # locked by the caller
    await update_interview(db, interview_id, StatusChange(status="draft", publish_at=None), now)
    await cancel_pending_publication(db, interview_id, None)
    await insert_event(db, InterviewUnscheduled(interview_id=interview_id), now)
    after = await select_interview(db, interview_id, now)
    assert after is not None
    await record_revision(db, before, after, now, actor, "status", "unscheduled")


async def restore(db: asyncpg.Connection, kind: Kind, item_id: UUID, actor: Actor) -> Restored:
    """Bring an item back from the trash, at its old slug if that is still free, else at a new
    one made from it."""
    async with db.transaction():
        trashed = await _lock(db, kind, item_id, actor)
        if kind is Kind.interviews:
            await _check_needs_are_back(db, item_id)
        slug = trashed.slug
        if await slug_is_taken(db, kind, slug):
            slug = await unique_slug(db, kind, slug)
        await restore_row(db, kind, item_id, slug)
    changed_from = trashed.slug if slug != trashed.slug else None
    return Restored(kind=kind, id=item_id, slug=slug, slug_changed_from=changed_from)


async def purge(db: asyncpg.Connection, kind: Kind, item_id: UUID, actor: Actor) -> None:
    """Delete an item in the trash for good."""
    async with db.transaction():
        await _lock(db, kind, item_id, actor)
        if kind is not Kind.interviews and await named_by_interviews(db, kind, item_id):
            what = "series" if kind is Kind.series else "person"
            raise ProblemError(
                409,
                f"interviews in the trash still name this {what}: purge them first",
                field="id",
            )
        await delete_row(db, kind, item_id)


async def _lock(db: asyncpg.Connection, kind: Kind, item_id: UUID, actor: Actor) -> Trashed:
    """Lock an item in the trash that this actor may restore or purge: editors anything,
    contributors the drafts they created (as they may delete only those)."""
    trashed = await select_trashed_for_update(db, kind, item_id)
    if trashed is None:
        raise ProblemError(404, f"no such item among the trash's {kind}")
    if actor.role.rank >= Role.editor.rank:
        return trashed
    if kind is not Kind.interviews:
        raise ProblemError(403, f"this needs the editor role; the token has {actor.role}")
    if trashed.status != "draft" or trashed.created_by != actor.token_id:
        raise ProblemError(403, "contributors may restore or purge only the drafts they created")
    return trashed


async def _check_needs_are_back(db: asyncpg.Connection, interview_id: UUID) -> None:
    """An interview comes back only to a series and people that are not in the trash."""
    series_id, people = await select_interview_needs(db, interview_id)
    if slugs := await select_trashed_among(db, Kind.series, [series_id]):
        detail = f"its series ({slugs[0]}) is in the trash: restore the series first"
        raise ProblemError(409, detail, field="series_id")
    if slugs := await select_trashed_among(db, Kind.people, people):
        detail = f"people who take part ({', '.join(slugs)}) are in the trash: restore them first"
        raise ProblemError(409, detail, field="participants")
