"""Admin API for the trash: deleted interviews, series and people, until they are restored or
purged."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from app.auth import actor_of, require_token
from app.db import Db
from app.errors import problems
from app.openapi import ADMIN, Idempotent
from app.pagination import Limit, decode_cursor, split_page
from app.settings import Settings
from app.trash.moves import purge, restore
from app.trash.queries import select_trash_page
from app.trash.schemas import Kind, Restored, TrashList


class TrashController(Controller):
    path = "/admin/v1/trash"
    tags = ["trash"]
    guards = [require_token]
    security = ADMIN

    @get("/", summary="List the trash", responses=problems(400, 401))
    async def list_trash(
        self,
        db: Db,
        settings: NamedDependency[Settings],
        kind: FromQuery[Kind | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
    ) -> TrashList:
        """Deleted interviews, series and people (or those of one `kind`), most recently
        deleted first, each with when it will be purged (COLLOQUY_TRASH_DAYS after it was
        deleted)."""
        before = decode_cursor(cursor, datetime, UUID) if cursor else None
        kept_for = timedelta(days=settings.trash_days)
        rows = await select_trash_page(db, kind, before, limit + 1, kept_for)
        items, next_cursor = split_page(rows, limit, lambda t: (t.deleted_at, t.id))
        return TrashList(items=items, next_cursor=next_cursor)

    @post(
        "/{kind:str}/{item_id:uuid}/restore",
        summary="Restore from the trash",
        responses=problems(401, 403, 404, 409),
        status_code=200,
        operation_class=Idempotent,
    )
    async def restore_from_trash(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        kind: FromPath[Kind],
        item_id: FromPath[UUID],
    ) -> Restored:
        """Bring an item back with everything it had (an interview with its participants,
        quotes, teasers and revisions). Its old slug if still free, else a new one made from
        it, named with `slug_changed_from`. An interview comes back only once its series and
        people are back (409). Editors; contributors the drafts they created."""
        return await restore(db, kind, item_id, actor_of(request))

    @delete(
        "/{kind:str}/{item_id:uuid}",
        summary="Purge from the trash",
        responses=problems(401, 403, 404, 409),
    )
    async def purge_from_trash(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        kind: FromPath[Kind],
        item_id: FromPath[UUID],
    ) -> None:
        """Delete an item in the trash for good, now rather than after COLLOQUY_TRASH_DAYS. A
        series or person still named by interviews in the trash is purged after them (409).
        Editors; contributors the drafts they created."""
        await purge(db, kind, item_id, actor_of(request))
