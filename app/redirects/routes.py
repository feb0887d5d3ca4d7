"""The list of old slugs, for frontends that answer their own redirects."""

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from app.clock import Now
from app.db import Db
from app.errors import problems
from app.openapi import PublicRead
from app.pagination import decode_cursor, split_page
from app.redirects.queries import select_redirect_page
from app.redirects.schemas import Kind, Redirect, RedirectPage
from app.site import Site

RedirectLimit = Annotated[int, QueryParameter(ge=1, le=100)]


def _url(site: Site, kind: Kind, slug: str) -> str:
    match kind:
        case "interview":
            return site.interview(slug)
        case "series":
            return site.series(slug)
        case "person":
            return site.person(slug)


class RedirectController(Controller):
    path = "/content/v1"
    tags = ["content"]

    @get(
        "/redirects",
        summary="List redirects",
        responses=problems(400),
        operation_class=PublicRead,
    )
    async def list_redirects(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        since: FromQuery[datetime | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: RedirectLimit = 100,
    ) -> RedirectPage:
        """Old slugs of public interviews, series and people, each with the page it leads to
        now, for a frontend to answer 301 itself: `from` and `to` are the site's URLs (as cards
        give `url`), with both slugs. Chains are followed (an old slug leads to the current
        one). Oldest change first; `since` keeps those that changed at or after it (made, or
        led elsewhere by a later rename), so a frontend can fetch only what is new. A redirect
        of what stops being public leaves the list."""
        after = decode_cursor(cursor, datetime, str, str) if cursor else None
        rows = await select_redirect_page(db, now, since, after, limit + 1)
        page, next_cursor = split_page(
            rows, limit, lambda row: (row.changed_at, row.kind, row.from_slug)
        )
        items = [
            Redirect(
                kind=row.kind,
                from_=_url(site, row.kind, row.from_slug),
                to=_url(site, row.kind, row.to_slug),
                from_slug=row.from_slug,
                to_slug=row.to_slug,
                changed_at=row.changed_at,
            )
            for row in page
        ]
        return RedirectPage(items=items, next_cursor=next_cursor)
