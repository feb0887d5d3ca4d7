"""Admin API for series."""

import asyncio
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from app.auth import Role, actor_of, require_token
from app.clock import Now
from app.db import Db
from app.errors import EDIT, ProblemError, not_found, problems
from app.etags import check_version, tagged, tagged_found
from app.openapi import ADMIN, ConditionalWrite, Created, Versioned
from app.pagination import Limit, decode_cursor, split_page
from app.publication import announce_series_visibility
from app.schemas import given
from app.series.cadence import validate_cadence
from app.series.queries import (
    insert_series,
    select_series,
    select_series_for_update,
    select_series_page,
    series_has_interviews,
    update_series,
)
from app.series.schemas import (
    Cadence,
    Series,
    SeriesCreate,
    SeriesList,
    SeriesSlots,
    SeriesUpdate,
)
from app.series.slots import upcoming_slots
from app.slugs import unique_slug
from app.trash.queries import trash_row
from app.trash.schemas import Kind

From = Annotated[
    datetime | None,
    QueryParameter(name="from", description="a time with a UTC offset; default now"),
]
# A rule with COUNT is followed from the series' first day, within a bounded search, so a
# far-off `from` may be out of its reach.
FARTHEST_FROM = timedelta(days=10 * 366)


async def _check_cadence(cadence: Cadence | msgspec.UnsetType | None, now: datetime) -> None:
    if isinstance(cadence, Cadence):
        # Checking expands the rule for up to two years: not on the event loop.
        await asyncio.to_thread(validate_cadence, cadence, now)


class SeriesController(Controller):
    path = "/admin/v1/series"
    tags = ["series"]
    guards = [require_token]
    security = ADMIN

    @get("/", summary="List series", responses=problems(400, 401))
    async def list_series(
        self, db: Db, cursor: FromQuery[str | None] = None, limit: Limit = 50
    ) -> SeriesList:
        """List series, oldest first."""
        after = decode_cursor(cursor, datetime, UUID) if cursor else None
        rows = await select_series_page(db, after, limit + 1)
        items, next_cursor = split_page(rows, limit, lambda s: (s.created_at, s.id))
        return SeriesList(items=items, next_cursor=next_cursor)

    @post(
        "/",
        summary="Create a series",
        opt={"role": Role.editor},
        responses=problems(400, 401, 403, 409, 413, 422),
        operation_class=Created,
    )
    async def create_series(
        self, db: Db, now: Now, data: JSONBody[SeriesCreate]
    ) -> Response[Series]:
        """Create a series; the slug is made from the title when not given."""
        await _check_cadence(data.cadence, now)
        slug = data.slug or await unique_slug(db, "series", data.title)
        return tagged(await insert_series(db, data, slug, now), 201)

    @get(
        "/{series_id:uuid}",
        summary="Get a series",
        responses=problems(401, 404),
        operation_class=Versioned,
    )
    async def get_series(self, db: Db, series_id: FromPath[UUID]) -> Response[Series]:
        """One series."""
        return tagged_found(await select_series(db, series_id), "series")

    @get(
        "/{series_id:uuid}/slots",
        summary="List upcoming slots",
        responses=problems(400, 401, 404, 409),
        description="Slots are looked for up to two years after `from`; a cadence stored "
        "before its rule was checked as it is now, and that no series may have, has none.",
    )
    async def list_series_slots(
        self,
        db: Db,
        now: Now,
        series_id: FromPath[UUID],
        start: From = None,
        count: Limit = 10,
    ) -> SeriesSlots:
        """Upcoming publication slots of the series' cadence, each with the interview in it."""
        if start is not None and start.tzinfo is None:
            raise ProblemError(400, "from needs a UTC offset, e.g. Z or +01:00", field="from")
        if start is not None and start > now + FARTHEST_FROM:
            raise ProblemError(400, "from may be at most ten years ahead", field="from")
        series = await select_series(db, series_id)
        if series is None:
            raise not_found("series")
        if series.cadence is None:
            raise ProblemError(409, "the series has no cadence, so no slots", field="cadence")
        items = await upcoming_slots(
            db, series.id, series.cadence, series.created_at, start or now, count, now
        )
        return SeriesSlots(series_id=series.id, cadence=series.cadence, items=items)

    @patch(
        "/{series_id:uuid}",
        summary="Update a series",
        opt={"role": Role.editor},
        responses=problems(*EDIT),
        operation_class=ConditionalWrite,
    )
    async def update_series(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        series_id: FromPath[UUID],
        data: JSONBody[SeriesUpdate],
    ) -> Response[Series]:
        """Change some fields of a series; send If-Match with its ETag to avoid lost updates.
        Hiding a series takes its interviews from the public (each announced as
        `interview.hidden`); showing it again publishes those whose time has come
        (`interview.published`)."""
        await _check_cadence(data.cadence, now)
        async with db.transaction():
            version = await select_series_for_update(db, series_id)
            if version is None:
                raise not_found("series")
            check_version(request, version)
            before = await select_series(db, series_id)
            if not given(data):  # nothing to change: no new version either
                return tagged_found(before, "series")
            series = await update_series(db, series_id, data, now)
            assert before is not None  # locked above
            await announce_series_visibility(
                db, now, series_id, before.visibility, series.visibility
            )
        return tagged(series)

    @delete(
        "/{series_id:uuid}",
        summary="Delete a series",
        opt={"role": Role.editor},
        responses=problems(401, 403, 404, 409, 412),
        operation_class=ConditionalWrite,
    )
    async def delete_series(
        self, request: Request[Any, Any, Any], db: Db, now: Now, series_id: FromPath[UUID]
    ) -> None:
        """Move a series that has no interviews outside the trash to the trash (409 otherwise:
        end it instead, to keep its archive); honours If-Match."""
        async with db.transaction():
            version = await select_series_for_update(db, series_id)
            if version is None:
                raise not_found("series")
            check_version(request, version)
            if await series_has_interviews(db, series_id):
                raise ProblemError(
                    409, "the series has interviews; set its status to ended instead", field="id"
                )
            await trash_row(db, Kind.series, series_id, now, actor_of(request).token_id)
