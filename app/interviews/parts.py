"""Admin API for the parts of an interview: participants, pull quotes, teasers, and the
revisions that keep each of its states.

Each write counts a new version of the interview and answers with the whole interview and its
new ETag, so that If-Match always refers to the one interview version.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from app.auth import actor_of, require_token
from app.clock import Now
from app.db import Db
from app.errors import EDIT, ProblemError, not_found, problems
from app.etags import Unsent, expected_version, tagged
from app.interviews.diff import RevisionDiff, diff
from app.interviews.lifecycle import edit, restore
from app.interviews.queries import (
    LockedInterview,
    count_interviewees,
    delete_pull_quote,
    delete_teaser,
    insert_pull_quote,
    replace_participants,
    select_pull_quotes,
    update_pull_quote,
    upsert_teaser,
)
from app.interviews.revisions import (
    RevisionList,
    RevisionWithState,
    check_may_read,
    fold_window,
    select_revision,
    select_revision_page,
)
from app.interviews.rules import (
    check_participants_unique,
    check_quote_source,
    prepare_teaser,
    teaser_limit,
)
from app.interviews.schemas import (
    Answer,
    Interview,
    InterviewUpdate,
    Participants,
    Placement,
    PullQuoteCreate,
    PullQuoteUpdate,
    Question,
    TeaserIn,
)
from app.openapi import ADMIN, Action, ConditionalWrite, GuardedAction
from app.pagination import Limit, decode_cursor, split_page
from app.schemas import given
from app.settings import Settings

RevisionNumber = Annotated[int, Parameter(ge=1, le=2_147_483_647)]

PartChange = Callable[[LockedInterview], Awaitable[None]]


async def edit_part(
    request: Request[Any, Any, Any], db: Db, now: datetime, interview_id: UUID, change: PartChange
) -> Response[Interview]:
    """Apply `change` to a part of the interview, count a new version of the interview, and
    answer with it."""

    async def change_part(locked: LockedInterview, _: Interview) -> InterviewUpdate:
        await change(locked)
        return InterviewUpdate()  # nothing of the interview itself, but a new version

    actor, if_match = actor_of(request), expected_version(request)
    return tagged(
        await edit(db, interview_id, now, actor, if_match, change_part, fold_window(request))
    )


class InterviewPartsController(Controller):
    path = "/admin/v1/interviews/{interview_id:uuid}"
    tags = ["interviews"]
    guards = [require_token]
    security = ADMIN

    @put(
        "/participants",
        summary="Set the participants",
        responses=problems(*EDIT),
        operation_class=ConditionalWrite,
    )
    async def set_participants(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        data: JSONBody[Participants],
    ) -> Response[Interview]:
        """Set the ordered list of interviewers and interviewees. A speaker of the body cannot
        be removed (409); only a draft may have no interviewee (422). Answers with the whole
        interview; honours If-Match."""
        check_participants_unique(data)

        async def change(locked: LockedInterview) -> None:
            kept = {p.person_id for p in data}
            for index, block in enumerate(locked.body):
                if isinstance(block, Question | Answer) and block.speaker_id not in kept:
                    raise ProblemError(
                        409,
                        f"the speaker of body[{index}] would no longer take part",
                        field="participants",
                    )
            await replace_participants(db, interview_id, data)
            if locked.status != "draft" and await count_interviewees(db, interview_id) == 0:
                raise ProblemError(
                    422, "only a draft may have no interviewee", field="participants"
                )

        return await edit_part(request, db, now, interview_id, change)

    @post(
        "/pull-quotes",
        summary="Add a pull quote",
        responses=problems(*EDIT),
        status_code=201,
        operation_class=Action,
    )
    async def create_pull_quote(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        data: JSONBody[PullQuoteCreate],
    ) -> Response[Interview]:
        """Add a pull quote by a participant; one that names its answer block must occur in it
        (422). At most one is featured. Answers with the whole interview; honours If-Match."""

        async def change(locked: LockedInterview) -> None:
            check_quote_source(data.text, data.speaker_id, data.block_id, locked.body)
            await insert_pull_quote(db, interview_id, data, now)

        response = await edit_part(request, db, now, interview_id, change)
        response.status_code = 201
        return response

    @patch(
        "/pull-quotes/{quote_id:uuid}",
        summary="Update a pull quote",
        responses=problems(*EDIT),
        operation_class=ConditionalWrite,
    )
    async def update_pull_quote(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        quote_id: FromPath[UUID],
        data: JSONBody[PullQuoteUpdate],
    ) -> Response[Interview]:
        """Change a pull quote: its text, speaker, source block, position or featuring."""

        async def change(locked: LockedInterview) -> None:
            quotes = {q.id: q for q in await select_pull_quotes(db, interview_id)}
            if quote_id not in quotes:
                raise not_found("pull quote")
            merged = msgspec.structs.replace(quotes[quote_id], **given(data))
            check_quote_source(merged.text, merged.speaker_id, merged.block_id, locked.body)
            await update_pull_quote(db, interview_id, quote_id, data)

        return await edit_part(request, db, now, interview_id, change)

    @delete(
        "/pull-quotes/{quote_id:uuid}",
        summary="Remove a pull quote",
        responses=problems(*EDIT),
        status_code=200,
        operation_class=ConditionalWrite,
    )
    async def delete_pull_quote(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        quote_id: FromPath[UUID],
    ) -> Response[Interview]:
        """Remove a pull quote."""

        async def change(_: LockedInterview) -> None:
            if not await delete_pull_quote(db, interview_id, quote_id):
                raise not_found("pull quote")

        return await edit_part(request, db, now, interview_id, change)

    @put(
        "/teasers/{placement:str}",
        summary="Set a teaser",
        responses=problems(*EDIT),
        operation_class=ConditionalWrite,
    )
    async def set_teaser(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        settings: NamedDependency[Settings],
        interview_id: FromPath[UUID],
        placement: FromPath[Placement],
        data: JSONBody[TeaserIn],
    ) -> Response[Interview]:
        """Set the teaser for one placement (card, frontpage, social, newsletter)."""
        text = prepare_teaser(placement, data.text, teaser_limit(settings, placement))

        async def change(_: LockedInterview) -> None:
            await upsert_teaser(db, interview_id, placement, text)

        return await edit_part(request, db, now, interview_id, change)

    @delete(
        "/teasers/{placement:str}",
        summary="Remove a teaser",
        responses=problems(*EDIT),
        status_code=200,
        operation_class=ConditionalWrite,
    )
    async def delete_teaser(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        placement: FromPath[Placement],
    ) -> Response[Interview]:
        """Remove the teaser of one placement."""

        async def change(_: LockedInterview) -> None:
            if not await delete_teaser(db, interview_id, placement):
                raise not_found("teaser")

        return await edit_part(request, db, now, interview_id, change)

    @get(
        "/revisions",
        summary="List revisions",
        responses=problems(400, 401, 403, 404),
    )
    async def list_revisions(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        cursor: FromQuery[str | None] = None,
        limit: Limit = 20,
    ) -> RevisionList:
        """The interview's revisions, newest first, each with its number, what made it
        (`created`, `edited`, `status`, `restored`), a summary of what changed, its token and
        times, but not the interview it holds; `next_cursor` gives the next page. Saves of a
        draft by one token within COLLOQUY_REVISION_FOLD_SECONDS fold into one revision.
        Contributors read those of the drafts they created."""
        await check_may_read(db, now, interview_id, actor_of(request))
        before = decode_cursor(cursor, int)[0] if cursor else None
        rows = await select_revision_page(db, interview_id, before, limit + 1)
        items, next_cursor = split_page(rows, limit, lambda revision: (revision.number,))
        return RevisionList(items=items, next_cursor=next_cursor)

    @get(
        "/revisions/{number:int}",
        summary="Get a revision",
        responses=problems(400, 401, 403, 404),
    )
    async def get_revision(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        number: RevisionNumber,
    ) -> RevisionWithState:
        """One revision and the interview as it then stood, as the Admin API gave it."""
        await check_may_read(db, now, interview_id, actor_of(request))
        revision = await select_revision(db, interview_id, number)
        if revision is None:
            raise not_found("revision")
        return revision

    @get(
        "/revisions/{number:int}/diff",
        summary="Compare two revisions",
        responses=problems(400, 401, 403, 404),
    )
    async def diff_revisions(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        number: RevisionNumber,
        against: Annotated[int | None, Parameter(ge=1, le=2_147_483_647)] = None,
    ) -> RevisionDiff:
        """What changed from revision `against` (by default the one before) to revision
        `number`. `changed` names the fields that differ; `before` and `after` give each of
        them but the body as either revision had it. `body` lists the blocks, matched by id:
        `added` (with its `index` in the newer body), `removed` (`index_before` in the older),
        `moved`, and `changed` (type, speaker or text; both versions, and `text` as a
        word-level diff: pieces `equal`, `delete` (only in the older), `insert` (only in the
        newer), which join up to either text). Past a bound on the words compared, the rest
        of the changed blocks come whole: the older text deleted, the newer inserted."""
        await check_may_read(db, now, interview_id, actor_of(request))
        against = number - 1 if against is None else against
        newer = await select_revision(db, interview_id, number)
        older = await select_revision(db, interview_id, against) if against >= 1 else None
        if newer is None or older is None:
            raise not_found("revision")
        # Bounded (app/interviews/diff.py), but still CPU: off the event loop.
        return await asyncio.to_thread(diff, number, newer.interview, against, older.interview)

    @post(
        "/revisions/{number:int}/restore",
        summary="Restore a revision",
        responses=problems(*EDIT, 428),
        status_code=200,
        operation_class=GuardedAction,
    )
    async def restore_revision(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        number: RevisionNumber,
    ) -> Response[Interview]:
        """Make the content of a revision current again, as a new revision: its fields, body,
        participants and teasers. The status and publication times stay as they are, and so
        do the pull quotes, which the restored body must still hold. 409 for what the interview
        cannot take now (a quote's answer block missing from the restored body, a participant
        or series since deleted, a slug another interview has taken). Needs If-Match (428
        without): it replaces all the content, so it must name what it replaces. As editing:
        contributors restore their own drafts."""
        # The 428 names the current version, known once the interview is locked.
        sent = "if-match" in request.headers
        if_match = expected_version(request) if sent else Unsent.UNSENT
        return tagged(await restore(db, interview_id, number, now, actor_of(request), if_match))
