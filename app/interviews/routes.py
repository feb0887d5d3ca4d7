"""Admin API for interviews: drafts, edits and the publication lifecycle."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from app.auth import Role, actor_of, require_token
from app.clock import Now
from app.db import Db
from app.errors import EDIT, problems
from app.etags import expected_version, require_if_match, tagged, tagged_found
from app.interviews.lifecycle import change_status, edit, lock_for_edit, schedule
from app.interviews.queries import (
    InterviewFilter,
    LockedInterview,
    insert_interview,
    replace_participants,
    select_interview,
    select_interview_page,
)
from app.interviews.revisions import fold_window, record_creation
from app.interviews.rules import (
    check_participants_unique,
    check_quotes_still_hold,
    prepare_body,
    prepare_tags,
)
from app.interviews.schemas import (
    Interview,
    InterviewCreate,
    InterviewList,
    InterviewStatus,
    InterviewUpdate,
    ScheduleRequest,
)
from app.openapi import ADMIN, Action, ConditionalWrite, Created, GuardedDelete, Versioned
from app.pagination import Limit, decode_cursor, split_page
from app.schemas import given
from app.search.schemas import TYPED_MAX_LENGTH
from app.slugs import unique_slug
from app.trash.moves import trash_interview

TagParam = Annotated[str | None, QueryParameter(max_length=60)]


class InterviewController(Controller):
    path = "/admin/v1/interviews"
    tags = ["interviews"]
    guards = [require_token]
    security = ADMIN

    @get("/", summary="List interviews", responses=problems(400, 401))
    async def list_interviews(
        self,
        db: Db,
        now: Now,
        series_id: FromQuery[UUID | None] = None,
        status: FromQuery[InterviewStatus | None] = None,
        person_id: FromQuery[UUID | None] = None,
        tag: TagParam = None,
        published_after: FromQuery[datetime | None] = None,
        published_before: FromQuery[datetime | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=TYPED_MAX_LENGTH)] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 20,
    ) -> InterviewList:
        """Interviews of every status, newest first, filtered by series, status, person, tag,
        publication window or words (`q`, read as the Content API's search reads it);
        `next_cursor` gives the next page."""
        where = InterviewFilter(
            series_id=series_id,
            status=status,
            person_id=person_id,
            tag=tag,
            published_after=published_after,
            published_before=published_before,
            q=q,
        )
        after = decode_cursor(cursor, datetime, UUID) if cursor else None
        rows = await select_interview_page(db, now, where, after, limit + 1)
        items, next_cursor = split_page(rows, limit, lambda i: (i.created_at, i.id))
        return InterviewList(items=items, next_cursor=next_cursor)

    @post(
        "/",
        summary="Create an interview",
        responses=problems(400, 401, 403, 409, 413, 422),
        operation_class=Created,
    )
    async def create_interview(
        self, request: Request[Any, Any, Any], db: Db, now: Now, data: JSONBody[InterviewCreate]
    ) -> Response[Interview]:
        """Create a draft interview, optionally with its participants and body; the slug is made
        from the title when not given. The draft is not public until it is published."""
        check_participants_unique(data.participants)
        speakers = {p.person_id for p in data.participants}
        async with db.transaction():
            interview_id = await insert_interview(
                db,
                series_id=data.series_id,
                slug=data.slug or await unique_slug(db, "interviews", data.title),
                title=data.title,
                standfirst=data.standfirst,
                body=prepare_body(data.body, speakers),
                image=data.image,
                tags=prepare_tags(data.tags),
                created_by=actor_of(request).token_id,
                now=now,
            )
            await replace_participants(db, interview_id, data.participants)
            await record_creation(db, interview_id, now, actor_of(request))
        return tagged_found(await select_interview(db, interview_id, now), "interview", 201)

    @get(
        "/{interview_id:uuid}",
        summary="Get an interview",
        responses=problems(401, 404),
        operation_class=Versioned,
    )
    async def get_interview(
        self, db: Db, now: Now, interview_id: FromPath[UUID]
    ) -> Response[Interview]:
        """One interview with its participants, pull quotes and teasers, and its version as
        ETag."""
        return tagged_found(await select_interview(db, interview_id, now), "interview")

    @patch(
        "/{interview_id:uuid}",
        summary="Update an interview",
        responses=problems(*EDIT),
        operation_class=ConditionalWrite,
    )
    async def update_interview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        data: JSONBody[InterviewUpdate],
    ) -> Response[Interview]:
        """Change some fields; contributors may change drafts only. Honours If-Match."""

        async def change(_: LockedInterview, before: Interview) -> InterviewUpdate | None:
            if not given(data):  # an empty PATCH makes no new version
                return None
            update = data
            if data.body is not msgspec.UNSET:
                speakers = {p.person_id for p in before.participants}
                body = prepare_body(data.body, speakers, before.body)
                check_quotes_still_hold(before.pull_quotes, body)
                update = msgspec.structs.replace(update, body=body)
            if data.tags is not msgspec.UNSET:
                update = msgspec.structs.replace(update, tags=prepare_tags(data.tags))
            return update

        actor, if_match = actor_of(request), expected_version(request)
        return tagged(
            await edit(db, interview_id, now, actor, if_match, change, fold_window(request))
        )

    @delete(
        "/{interview_id:uuid}",
        summary="Delete an interview",
        responses=problems(401, 403, 404, 409, 412, 428),
        operation_class=GuardedDelete,
    )
    async def delete_interview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
    ) -> None:
        """Move an interview to the trash (/admin/v1/trash), from which it can be restored
        until it is purged. A public interview must be withdrawn first (409); a scheduled one
        goes back to draft. Contributors may delete only their own drafts. Needs If-Match (428
        without), so that it names what it deletes."""
        actor = actor_of(request)
        async with db.transaction():
            locked = await lock_for_edit(db, interview_id, now, actor, expected_version(request))
            require_if_match(request, locked.version)
            await trash_interview(db, interview_id, locked, now, actor)

    @post(
        "/{interview_id:uuid}/schedule",
        summary="Schedule an interview",
        opt={"role": Role.editor},
        responses=problems(*EDIT),
        status_code=200,
        operation_class=Action,
    )
    async def schedule_interview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        data: JSONBody[ScheduleRequest],
    ) -> Response[Interview]:
        """Schedule (or reschedule) publication: at `publish_at`, a time with a UTC offset, or
        with `{"slot": "next"}` in the series' next free slot. A time off the series' cadence, or
        in a slot another interview has, needs `"confirm": true`. From draft, scheduled or
        withdrawn; needs an interviewee (422). Editors only; honours If-Match."""
        await schedule(db, interview_id, data, now, actor_of(request), expected_version(request))
        return tagged_found(await select_interview(db, interview_id, now), "interview")

    @post(
        "/{interview_id:uuid}/publish",
        summary="Publish an interview now",
        opt={"role": Role.editor},
        responses=problems(*EDIT),
        status_code=200,
        operation_class=Action,
    )
    async def publish_interview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
    ) -> Response[Interview]:
        """Publish now, from draft, scheduled or withdrawn (else 409 naming what is allowed); it
        needs an interviewee (422). A republished interview keeps its first publication time.
        Editors only; honours If-Match."""
        return await self._act(request, db, now, interview_id, "publish")

    @post(
        "/{interview_id:uuid}/unschedule",
        summary="Unschedule an interview",
        opt={"role": Role.editor},
        responses=problems(*EDIT),
        status_code=200,
        operation_class=Action,
    )
    async def unschedule_interview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
    ) -> Response[Interview]:
        """Take a scheduled interview back to draft; its publication is cancelled. Editors
        only; honours If-Match."""
        return await self._act(request, db, now, interview_id, "unschedule")

    @post(
        "/{interview_id:uuid}/withdraw",
        summary="Withdraw an interview",
        opt={"role": Role.editor},
        responses=problems(*EDIT),
        status_code=200,
        operation_class=Action,
    )
    async def withdraw_interview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
    ) -> Response[Interview]:
        """Withdraw a published interview: it leaves the Content API, lists and feeds, and its
        public URL answers 410 Gone. It may be scheduled or published again. Editors only;
        honours If-Match."""
        return await self._act(request, db, now, interview_id, "withdraw")

    @staticmethod
    async def _act(
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        interview_id: FromPath[UUID],
        action: Literal["publish", "unschedule", "withdraw"],
    ) -> Response[Interview]:
        await change_status(
            db, interview_id, action, now, actor_of(request), expected_version(request)
        )
        return tagged_found(await select_interview(db, interview_id, now), "interview")
