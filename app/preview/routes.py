"""Previews: an interview as readers will see it, before they can.

An editor (or a contributor, for a draft of their own) asks for a link; whoever has it sees the
interview exactly as /content/v1/interviews/{slug} will show it, with its current content,
whatever its status, until the link expires or the interview is deleted. A token is 256 random
bits and only its hash is kept, so the table gives none away. Previews are private: never
stored by the public response cache or any other, and kept out of search engines."""

import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from app.auth import Actor, Role, actor_of, hash_secret, require_token
from app.clock import Now
from app.content.cards import interview_page
from app.content.queries import select_interview_as_public, select_previewed_interview
from app.content.schemas import Formats, PublicInterview
from app.db import Db
from app.errors import ProblemError, not_found, problems
from app.openapi import ADMIN, Idempotent
from app.preview.queries import (
    delete_expired_preview_tokens,
    insert_preview_token,
    select_authorship,
)
from app.preview.schemas import PreviewLink, PreviewRequest
from app.settings import Settings
from app.site import Site

# Private to whoever holds the link: no shared cache keeps it, no search engine lists it.
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


def preview_url(settings: Settings, token: str) -> str:
    template = settings.preview_url or f"{settings.base_url}/preview/{{token}}"
    return template.replace("{token}", token)  # token_urlsafe needs no escaping in a URL


async def _check_may_preview(db: Db, now: datetime, interview_id: UUID, actor: Actor) -> None:
    """Editors and admins preview any interview; contributors the drafts they created, as
    they may edit only those."""
    authorship = await select_authorship(db, now, interview_id)
    if authorship is None:
        raise not_found("interview")
    if actor.role is Role.contributor and (
        authorship.status != "draft" or authorship.created_by != actor.token_id
    ):
        raise ProblemError(403, "contributors may preview only the drafts they created")


class PreviewController(Controller):
    path = "/"
    tags = ["preview"]

    @post(
        "/admin/v1/interviews/{interview_id:uuid}/preview",
        summary="Create a preview link",
        guards=[require_token],
        security=ADMIN,
        responses=problems(400, 401, 403, 404, 413),
        operation_class=Idempotent,
    )
    async def create_preview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        settings: NamedDependency[Settings],
        interview_id: FromPath[UUID],
        data: JSONBody[PreviewRequest | None] = None,
    ) -> PreviewLink:
        """Issue a private link to the interview as readers will see it (7 days; at most 30)."""
        actor = actor_of(request)
        await _check_may_preview(db, now, interview_id, actor)
        token = secrets.token_urlsafe(32)
        expires_at = now + timedelta(days=(data or PreviewRequest()).expires_in_days)
        async with db.transaction():
            await delete_expired_preview_tokens(db, now)
            stored = await insert_preview_token(
                db, hash_secret(token), interview_id, actor.token_id, now, expires_at
            )
        if not stored:
            raise not_found("interview")
        return PreviewLink(token=token, url=preview_url(settings, token), expires_at=expires_at)

    @get(
        "/admin/v1/interviews/{interview_id:uuid}/rendered",
        summary="Get an interview as rendered",
        guards=[require_token],
        security=ADMIN,
        responses=problems(401, 403, 404),
    )
    async def get_rendered_interview(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        interview_id: FromPath[UUID],
        formats: Formats = None,
    ) -> PublicInterview:
        """The interview's public page, card and JSON-LD as they are now, whatever its status."""
        await _check_may_preview(db, now, interview_id, actor_of(request))
        row = await select_interview_as_public(db, now, interview_id)
        if row is None:
            raise not_found("interview")
        return await interview_page(db, now, row, site, formats)

    @get("/content/v1/preview/{token:str}", summary="Get a preview", responses=problems(400, 404))
    async def get_preview(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        token: FromPath[str],
        formats: Formats = None,
    ) -> Response[PublicInterview]:
        """The interview a preview link shows, as its public page will be; private, noindex."""
        row = await select_previewed_interview(db, now, hash_secret(token))
        if row is None:  # unknown, expired or deleted alike, so that tokens cannot be probed
            raise ProblemError(404, "preview not found or expired", headers=PRIVATE)
        return Response(await interview_page(db, now, row, site, formats), headers=PRIVATE)
