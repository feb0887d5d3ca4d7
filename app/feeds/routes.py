"""Feeds for everything, each series, each person and each tag, in RSS 2.0, Atom 1.0 and JSON
Feed 1.1."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Parameter, Schema
from litestar.params import FromPath, FromQuery

from app.clock import Now
from app.content.queries import (
    PublicFilter,
    count_public_tagged,
    select_public_page,
    select_public_person,
    select_series_by_slug,
)
from app.db import Db
from app.errors import not_found, problems
from app.feeds.formats import FeedPage, atom, item_updated, json_feed, rss
from app.openapi import PublicRead
from app.pagination import decode_cursor, encode_cursor
from app.redirects.moved import MOVED, follow_old_slug
from app.settings import Settings
from app.site import Site, tag_scope

PAGE_SIZE = 20
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)
FORMATS: dict[str, tuple[str, Callable[[FeedPage, Site], bytes]]] = {
    "rss": ("application/rss+xml; charset=utf-8", rss),
    "atom": ("application/atom+xml; charset=utf-8", atom),
    "json": ("application/feed+json; charset=utf-8", json_feed),
}


ENDINGS = "|".join(FORMATS)


@dataclass
class FeedOperation(PublicRead):
    """A feed in the OpenAPI: its three media types, which Litestar cannot list itself, and the
    file names it answers to."""

    file_schema = Schema(
        type=OpenAPIType.STRING,
        pattern=rf"^[^/]+\.(?:{ENDINGS})$",
        description=f"the slug, then the format: .{', .'.join(FORMATS)}",
        examples=["thursday-interview.rss"],
    )

    def __post_init__(self) -> None:
        assert self.responses is not None
        ok = self.responses["200"]
        assert isinstance(ok, OpenAPIResponse)
        ok.description = "The feed, in the format its file name ends with"
        ok.content = {
            media_type.partition(";")[0]: OpenAPIMediaType(schema=_body_schema(ending))
            for ending, (media_type, _) in FORMATS.items()
        }
        for parameter in self.parameters or []:
            if isinstance(parameter, Parameter) and parameter.name == "file":
                parameter.schema = self.file_schema
        super().__post_init__()


@dataclass
class SiteFeedOperation(FeedOperation):
    file_schema = Schema(
        type=OpenAPIType.STRING, enum=[f"all.{ending}" for ending in FORMATS], examples=["all.rss"]
    )


@dataclass
class TagFeedOperation(FeedOperation):
    file_schema = Schema(
        type=OpenAPIType.STRING,
        pattern=rf"^[^/]+(?:/[^/]+)*\.(?:{ENDINGS})$",  # a `/` within, sent as %2F
        description=f"the tag as stored, then the format: .{', .'.join(FORMATS)}",
        examples=["peace process.rss"],
    )


def _body_schema(ending: str) -> Schema:
    if ending == "json":
        return Schema(type=OpenAPIType.OBJECT, description="JSON Feed 1.1")
    return Schema(type=OpenAPIType.STRING, description=f"{ending.upper()} XML")


def _split(file: str) -> tuple[str, str]:
    """'thursday-interview.atom' -> ('thursday-interview', 'atom'); 404 for other endings."""
    name, dot, ending = file.rpartition(".")
    if not dot or ending not in FORMATS or not name:
        raise not_found("feed")
    return name, ending


class FeedSubject(msgspec.Struct, frozen=True, kw_only=True):
    """What a feed is of (everything, a series, a person, a tag), and how it presents itself."""

    scope: str  # all, series/{slug}, people/{slug} or tags/{tag percent-encoded}
    where: PublicFilter
    title: str
    description: str
    home_url: str  # the site page the feed mirrors


async def _render(
    db: Db,
    now: datetime,
    subject: FeedSubject,
    *,
    ending: str,
    cursor: str | None,
    settings: Settings,
    site: Site,
) -> Response[bytes]:
    key = decode_cursor(cursor, datetime, UUID, bool) if cursor else None
    after, newer = (key[:2], key[2]) if key else (None, False)
    rows = await select_public_page(db, now, subject.where, after, PAGE_SIZE + 1, newer=newer)
    if newer:  # the page just newer than the cursor: the extra row is the newest, drop it
        more_newer, rows = len(rows) > PAGE_SIZE, rows[-PAGE_SIZE:]
        more_older = True
    else:
        more_older, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
        more_newer = key is not None
    first_url = site.feed(subject.scope, ending)

    def page_url(*cursor_key: Any) -> str:
        return f"{first_url}?cursor={encode_cursor(*cursor_key)}"

    previous_url = None  # RFC 5005: the newest page has none
    if more_newer:
        previous_url = page_url(rows[0].published_at, rows[0].id, True) if rows else first_url
    next_url = None
    if more_older and rows:
        next_url = page_url(rows[-1].published_at, rows[-1].id, False)

    feed = FeedPage(
        title=subject.title,
        description=subject.description,
        home_url=subject.home_url,
        self_url=page_url(*key) if key else first_url,
        first_url=first_url,
        next_url=next_url,
        previous_url=previous_url,
        hub_url=settings.websub_hub,
        site_title=settings.site_title,
        language=settings.site_language,
        items=rows,
        # An empty page is dated by a fixed time, so that its validators stay put.
        updated=max((item_updated(r) for r in rows), default=EMPTY_FEED_UPDATED),
    )
    media_type, render = FORMATS[ending]
    headers = {}
    if settings.websub_hub:
        # Header values are Latin-1: non-Latin slugs go percent-encoded.
        self_url = quote(feed.self_url, safe=":/?=&%")
        headers["Link"] = f'<{settings.websub_hub}>; rel="hub", <{self_url}>; rel="self"'
    return Response(render(feed, site), media_type=media_type, headers=headers)


async def _everything(
    db: Db, now: datetime, name: str, settings: Settings, site: Site
) -> FeedSubject:
    if name != "all":
        raise not_found("feed")
    return FeedSubject(
        scope="all",
        where=PublicFilter(),
        title=settings.site_title,
        description=f"Interviews from {settings.site_title}",
        home_url=site.base_url,
    )


async def _series(db: Db, now: datetime, slug: str, settings: Settings, site: Site) -> FeedSubject:
    series = await select_series_by_slug(db, slug)
    if series is None:
        await follow_old_slug(db, now, "series", slug, "file")
        raise not_found("series")
    title = f"{series.title} – {settings.site_title}"
    return FeedSubject(
        scope=f"series/{slug}",
        where=PublicFilter(series_slug=slug),
        title=title,
        description=series.description or title,
        home_url=site.series(slug),
    )


async def _person(db: Db, now: datetime, slug: str, settings: Settings, site: Site) -> FeedSubject:
    person = await select_public_person(db, now, slug)
    if person is None:
        await follow_old_slug(db, now, "person", slug, "file")
        raise not_found("person")
    return FeedSubject(
        scope=f"people/{slug}",
        where=PublicFilter(person_slug=slug),
        title=f"{person.name} – {settings.site_title}",
        description=f"Interviews with {person.name}",
        home_url=site.person(slug),
    )


async def _tag(db: Db, now: datetime, tag: str, settings: Settings, site: Site) -> FeedSubject:
    if await count_public_tagged(db, now, tag) == 0:
        raise not_found("tag")
    return FeedSubject(
        scope=tag_scope(tag),
        where=PublicFilter(tag=tag),
        title=f"{tag} – {settings.site_title}",
        description=f"Interviews tagged {tag}",
        home_url=site.tag(tag),
    )


Subject = Callable[[Db, datetime, str, Settings, Site], Awaitable[FeedSubject]]


async def _feed(
    db: Db,
    now: datetime,
    file: str,
    cursor: str | None,
    subject_of: Subject,
    *,
    settings: Settings,
    site: Site,
) -> Response[bytes]:
    """The feed that `file` names, of the subject that `subject_of` finds by its name."""
    name, ending = _split(file)
    subject = await subject_of(db, now, name, settings, site)
    return await _render(
        db, now, subject, ending=ending, cursor=cursor, settings=settings, site=site
    )


class FeedController(Controller):
    path = "/feeds"
    tags = ["feeds"]

    @get(
        "/{file:str}",
        summary="Get the site feed",
        responses=problems(400, 404),
        operation_class=SiteFeedOperation,
    )
    async def get_site_feed(
        self,
        db: Db,
        now: Now,
        settings: NamedDependency[Settings],
        site: NamedDependency[Site],
        file: FromPath[str],
        cursor: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """Every public interview: /feeds/all.rss, /feeds/all.atom, /feeds/all.json."""
        return await _feed(db, now, file, cursor, _everything, settings=settings, site=site)

    @get(
        "/series/{file:str}",
        summary="Get a series feed",
        responses={**problems(400, 404), **MOVED},
        operation_class=FeedOperation,
    )
    async def get_series_feed(
        self,
        db: Db,
        now: Now,
        settings: NamedDependency[Settings],
        site: NamedDependency[Site],
        file: FromPath[str],
        cursor: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """One series: /feeds/series/{slug}.rss|.atom|.json."""
        return await _feed(db, now, file, cursor, _series, settings=settings, site=site)

    @get(
        "/people/{file:str}",
        summary="Get a person's feed",
        responses={**problems(400, 404), **MOVED},
        operation_class=FeedOperation,
    )
    async def get_person_feed(
        self,
        db: Db,
        now: Now,
        settings: NamedDependency[Settings],
        site: NamedDependency[Site],
        file: FromPath[str],
        cursor: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """Interviews with or by one person: /feeds/people/{slug}.rss|.atom|.json."""
        return await _feed(db, now, file, cursor, _person, settings=settings, site=site)

    @get(
        "/tags/{file:path}",  # a tag may hold `/` (percent-encoded, it arrives decoded)
        summary="Get a tag's feed",
        responses=problems(400, 404),
        operation_class=TagFeedOperation,
    )
    async def get_tag_feed(
        self,
        db: Db,
        now: Now,
        settings: NamedDependency[Settings],
        site: NamedDependency[Site],
        file: FromPath[str],
        cursor: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """Public interviews with one tag, as stored and percent-encoded:
        /feeds/tags/{tag}.rss|.atom|.json; 404 when no public interview carries it."""
        name = file.removeprefix("/")  # as Litestar gives a `path` parameter
        return await _feed(db, now, name, cursor, _tag, settings=settings, site=site)
