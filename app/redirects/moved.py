"""Old slugs in public URLs: answered 308 Permanent Redirect to the resource's current slug.

A route whose slug lookup misses calls `follow_old_slug` before it answers 404; when the slug is
an old one of a public resource, that raises `SlugMoved`, which `redirect_moved` answers once for
every route. On public routes only what is public redirects: an old slug of anything else stays
a 404, as its current slug is. The newsroom's calendar, which shows what is not public, follows
old slugs of anything not in the trash.
"""

from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote, unquote_plus

import asyncpg
from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec

from app.redirects.queries import select_new_slug, select_newsroom_slug
from app.redirects.schemas import Kind

# A redirect may change (its owner may take the old slug back, and then the new one redirects
# the other way): browsers keep a 308 with no Cache-Control indefinitely, and would loop. The
# newsroom's are its own, as the calendar is: no shared cache may keep them.
PUBLIC_CACHE_CONTROL = "public, max-age=60"
NEWSROOM_CACHE_CONTROL = "private, no-cache"

MOVED: dict[int, ResponseSpec] = {
    308: ResponseSpec(
        data_container=None,
        description="Permanent Redirect: the slug is an old one; `Location` is this URL with "
        "the current slug, the query kept",
    )
}


class SlugMoved(Exception):
    """The slug in the parameter `param` is an old one: `old` is now `new`."""

    def __init__(
        self, param: str, old: str, new: str, where: Literal["path", "query"], newsroom: bool
    ) -> None:
        super().__init__(f"{old} is now {new}")
        self.param = param
        self.old = old
        self.new = new
        self.where = where
        self.newsroom = newsroom


async def follow_old_slug(
    db: asyncpg.Connection,
    now: datetime,
    kind: Kind,
    slug: str | None,
    param: str = "slug",
    where: Literal["path", "query"] = "path",
    *,
    newsroom: bool = False,
) -> None:
    """Raise SlugMoved if `slug` (given in `param`) was the slug of a public `kind`; with
    `newsroom`, of any (for a route that shows the newsroom what is not public too)."""
    if slug is None:
        return
    if newsroom:
        new = await select_newsroom_slug(db, kind, slug)
    else:
        new = await select_new_slug(db, now, kind, slug)
    if new is not None:
        raise SlugMoved(param, slug, new, where, newsroom)


def redirect_moved(request: Request[Any, Any, Any], moved: SlugMoved) -> Response[bytes]:
    """308 to the same route with the current slug; the rest of the URL is kept."""
    query = request.scope["query_string"].decode("latin-1")
    if moved.where == "path":
        params = {name: str(value) for name, value in request.path_params.items()}
        # What follows the slug in its parameter is kept: a feed's `.rss`.
        params[moved.param] = moved.new + params[moved.param].removeprefix(moved.old)
        path = request.scope["path_template"].format_map(
            {name: quote(value, safe="") for name, value in params.items()}
        )
    else:
        path = quote(request.scope["path"])
        query = "&".join(_replaced(part, moved) for part in query.split("&"))
    location = f"{path}?{query}" if query else path
    return Response(
        b"",
        status_code=308,
        headers={
            "Location": location,
            "Cache-Control": NEWSROOM_CACHE_CONTROL if moved.newsroom else PUBLIC_CACHE_CONTROL,
        },
        media_type="text/plain",
    )


def _replaced(part: str, moved: SlugMoved) -> str:
    """One `name=value` of a query, with the new slug if it gave the old one; as sent if not."""
    name, _, value = part.partition("=")
    if (unquote_plus(name), unquote_plus(value)) == (moved.param, moved.old):
        return f"{name}={quote(moved.new, safe='')}"
    return part
