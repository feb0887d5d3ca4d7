"""Admin API for the parts of an interview: participants, pull quotes and teasers.

Each write counts a new version of the interview and answers with the whole interview and its
new ETag, so that If-Match always refers to the one interview version.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, patch, post, put
from litestar.params import FromPath, JSONBody

from app.auth import actor_of, require_token
from app.clock import Now
from app.db import Db
from app.errors import EDIT, ProblemError, not_found, problems
from app.etags import expected_version, tagged_found
from app.interviews.lifecycle import edit
from app.interviews.queries import (
    LockedInterview,
    count_interviewees,
    delete_pull_quote,
    delete_teaser,
    insert_pull_quote,
    replace_participants,
    select_interview,
    select_pull_quotes,
    update_pull_quote,
    upsert_teaser,
)
from app.interviews.rules import check_participants_unique, check_quote_source, prepare_teaser
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
from app.openapi import ADMIN, Action, ConditionalWrite
from app.schemas import given

PartChange = Callable[[LockedInterview], Awaitable[None]]


async def edit_part(
    request: Request[Any, Any, Any], db: Db, now: datetime, interview_id: UUID, change: PartChange
) -> Response[Interview]:
    """Apply `change` to a part of the interview, count a new version of the interview, and
    answer with it."""

    async def change_part(locked: LockedInterview) -> InterviewUpdate:
        await change(locked)
        return InterviewUpdate()  # nothing of the interview itself, but a new version

    await edit(db, interview_id, now, actor_of(request), expected_version(request), change_part)
    return tagged_found(await select_interview(db, interview_id, now), "interview")


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
        interview_id: FromPath[UUID],
        placement: FromPath[Placement],
        data: JSONBody[TeaserIn],
    ) -> Response[Interview]:
        """Set the teaser for one placement (card, frontpage, social, newsletter)."""
        text = prepare_teaser(placement, data.text)

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
