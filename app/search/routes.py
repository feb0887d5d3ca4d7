"""Search of the public interviews, for the site's search page."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from app.clock import Now
from app.content.cards import card
from app.content.queries import PublicFilter, select_public_interviews
from app.db import Db
from app.errors import RETRY_AFTER_SECONDS, ProblemError, problems
from app.openapi import PublicRead
from app.pagination import decode_cursor, split_page
from app.redirects.moved import MOVED, follow_old_slug
from app.search.queries import select_hits
from app.search.schemas import TYPED_MAX_LENGTH, SearchHit, SearchPage
from app.site import Site

Typed = Annotated[str, QueryParameter(max_length=TYPED_MAX_LENGTH)]
SlugParam = Annotated[str | None, QueryParameter(max_length=120)]
TagParam = Annotated[str | None, QueryParameter(max_length=60)]
SearchLimit = Annotated[int, QueryParameter(ge=1, le=50)]


class SearchController(Controller):
    path = "/content/v1/search"
    tags = ["content"]

    @get(
        "/",
        summary="Search interviews",
        responses={**problems(400, 503), **MOVED},
        operation_class=PublicRead,
    )
    async def search_interviews(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        q: Typed,
        series: SlugParam = None,
        person: SlugParam = None,
        tag: TagParam = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: SearchLimit = 20,
    ) -> SearchPage:
        """Public interviews whose title, standfirst, teasers, body, pull quotes, participants'
        names, series or tags hold the words of `q`, best first, each with its card and a
        snippet. `q` is read as in web search: `"a phrase"`, `-word` for without, `or`
        between alternatives; accents and case do not matter and words match their other
        forms in the site's language (COLLOQUY_SITE_LANGUAGE). Filters: series and person
        (slugs), tag, and a publication window [since, until)."""
        where = PublicFilter(
            series_slug=series, person_slug=person, tag=tag, since=since, until=until
        )
        after, boundary = None, None
        if cursor:
            rank, last, boundary_at, boundary_id = decode_cursor(
                cursor, float, UUID, datetime, UUID
            )
            after, boundary = (rank, last), (boundary_at, boundary_id)
        try:
            hits = await select_hits(db, now, q, where, after, boundary, limit + 1)
        except asyncpg.QueryCanceledError:
            raise ProblemError(
                503,
                "this search took too long; narrow it (a rarer word, a phrase or a filter)",
                field="q",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None
        # The boundary travels in the cursor: every page ranks the first page's candidates.
        page, next_cursor = split_page(hits, limit, lambda hit: (hit.rank, hit.id, *hit.boundary))
        if not page:  # an old slug in a filter matches nothing: that may be why
            await follow_old_slug(db, now, "series", series, "series", "query")
            await follow_old_slug(db, now, "person", person, "person", "query")
        found = await select_public_interviews(db, now, [hit.id for hit in page])
        rows = {row.id: row for row in found}
        return SearchPage(
            items=[
                SearchHit(card=card(rows[hit.id], site), rank=hit.rank, snippet=hit.snippet)
                for hit in page
                if hit.id in rows  # not public any more since it was found
            ],
            next_cursor=next_cursor,
        )
