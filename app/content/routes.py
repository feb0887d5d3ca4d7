"""The public Content API: what the site's frontend builds its pages from."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Literal, get_args
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from app.clock import Now
from app.content.cards import card, interview_page, social
from app.content.newsletter import MOST_ITEMS, digest, window
from app.content.queries import (
    PublicFilter,
    PublicRow,
    count_public_tagged,
    interview_is_withdrawn,
    select_editors_choice,
    select_latest_by_series,
    select_popular,
    select_public_interview,
    select_public_interview_id,
    select_public_page,
    select_public_people,
    select_public_person,
    select_public_series,
    select_public_tags,
    select_related,
    select_series_by_slug,
)
from app.content.schemas import (
    Card,
    CardPage,
    Formats,
    Frontpage,
    FrontpageSection,
    Newsletter,
    PersonEntry,
    PersonIndex,
    PublicInterview,
    PublicPerson,
    PublicSeries,
    PublicTag,
    RoleCounts,
    SeriesRef,
    SeriesRefList,
    TagEntry,
    TagIndex,
)
from app.content.view_counter import ViewCounter, first_in_half_hour, retry_after
from app.db import Db
from app.errors import ProblemError, not_found, problems
from app.openapi import PublicRead
from app.pagination import decode_cursor, split_page
from app.proxies import ClientAddress
from app.redirects.moved import MOVED, follow_old_slug
from app.site import Site, tag_scope

SectionName = Literal["latest", "editors-choice", "popular", "series"]
Size = Annotated[int, QueryParameter(ge=1, le=20)]
# A front page shows the series that published last, as a news site's does, not every series
# ever run: 50 series of six cards made a ~1 MB page.
SeriesSections = Annotated[int, QueryParameter(ge=1, le=50)]
PublicLimit = Annotated[int, QueryParameter(ge=1, le=50)]
SlugParam = Annotated[str | None, QueryParameter(max_length=120)]
POPULAR_DAYS = 7


async def _cards(
    db: Db, now: datetime, where: PublicFilter, cursor: str | None, limit: int, site: Site
) -> CardPage:
    """A page of public interviews as cards, newest first, from `cursor` on."""
    after = decode_cursor(cursor, datetime, UUID) if cursor else None
    rows = await select_public_page(db, now, where, after, limit + 1)
    items, next_cursor = split_page(rows, limit, lambda row: (row.published_at, row.id))
    return CardPage(items=[card(row, site) for row in items], next_cursor=next_cursor)


async def _latest(db: Db, now: datetime, size: int) -> list[PublicRow]:
    return await select_public_page(db, now, PublicFilter(), None, size)


async def _popular(db: Db, now: datetime, size: int) -> list[PublicRow]:
    since = (now - timedelta(days=POPULAR_DAYS - 1)).date()
    return await select_popular(db, now, since, size)


# The front page's sections of cards, by name: each with its title and how its interviews are
# found. "series" is not here: it is one section per active series (`_sections`).
CARD_SECTIONS: dict[str, tuple[str, Callable[[Db, datetime, int], Awaitable[list[PublicRow]]]]] = {
    "latest": ("Latest", _latest),
    "editors-choice": ("Editor's choice", select_editors_choice),
    "popular": ("Popular", _popular),
}


async def _sections(
    db: Db, now: datetime, name: str, size: int, series_count: int, site: Site
) -> list[FrontpageSection]:
    """The section `name` of the front page; for "series", one section for each of the
    `series_count` active series that published last."""
    if name != "series":
        title, find = CARD_SECTIONS[name]
        items = [card(row, site, "frontpage") for row in await find(db, now, size)]
        return [FrontpageSection(name=name, title=title, items=items)]
    by_series: dict[str, FrontpageSection] = {}
    for row in await select_latest_by_series(db, now, size, series_count):
        section = by_series.setdefault(
            row.series_slug,
            FrontpageSection(name=f"series/{row.series_slug}", title=row.series_title, items=[]),
        )
        section.items.append(card(row, site, "frontpage"))
    return list(by_series.values())


async def public_interview(db: Db, now: datetime, slug: str) -> PublicRow:
    """The public interview with this slug; 410 if it was withdrawn, a redirect if the slug is an
    old one of a public interview, else 404."""
    row = await select_public_interview(db, now, slug)
    if row is not None:
        return row
    if await interview_is_withdrawn(db, slug):
        raise ProblemError(410, "this interview has been withdrawn")
    await follow_old_slug(db, now, "interview", slug)
    raise not_found("interview")


class ContentController(Controller):
    path = "/content/v1"
    tags = ["content"]

    @get(
        "/frontpage",
        summary="Get the front page",
        responses=problems(400),
        operation_class=PublicRead,
    )
    async def get_frontpage(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        sections: FromQuery[list[SectionName] | None] = None,
        size: Size = 6,
        series_sections: SeriesSections = 4,
    ) -> Frontpage:
        """Front-page sections of excerpt cards, each with its `frontpage` teaser (else its card
        teaser, else the excerpt): latest, editors' choice, popular (views of the last seven
        days), then one for each of the `series_sections` active series that published last,
        the most recent first. `sections` picks and orders them (comma list or repeated); `size`
        is the number of cards in each. Cached for at most a minute, for the popular section's
        sake."""
        result: list[FrontpageSection] = []
        for name in dict.fromkeys(sections or get_args(SectionName)):
            result += await _sections(db, now, name, size, series_sections, site)
        return Frontpage(sections=result, feeds=site.feeds())

    @get(
        "/newsletter",
        summary="Get the newsletter",
        responses={**problems(400, 404), **MOVED},
        operation_class=PublicRead,
    )
    async def get_newsletter(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        series: SlugParam = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> Newsletter:
        """An email-ready digest of the interviews published in [since, until), of one series
        or all: subject, preheader, HTML for email clients (tables, inline styles, absolute
        URLs, every text escaped) and its plain-text alternative. Each interview shows its
        `newsletter` teaser (else its card teaser, else the excerpt) and its featured pull
        quote; the newest 50 at most. The window is the last seven days by default, from
        `since` up to now, or the seven days before `until`; at most 31 days."""
        start, end = window(now, since, until)
        heading, home = site.title, site.base_url
        if series is not None:
            found = await select_series_by_slug(db, series)
            if found is None:
                await follow_old_slug(db, now, "series", series, "series", "query")
                raise not_found("series")
            heading, home = found.title, site.series(series)
        # Without `until`, up to now inclusive: what appears at this very moment is in.
        where = PublicFilter(series_slug=series, since=start, until=until)
        rows = await select_public_page(db, now, where, None, MOST_ITEMS)
        return digest(rows, site, heading, home, start, end)

    @get("/series", summary="List series", responses=problems(), operation_class=PublicRead)
    async def list_public_series(self, db: Db, site: NamedDependency[Site]) -> SeriesRefList:
        """Series that are running or paused."""
        return SeriesRefList(
            items=[
                SeriesRef(slug=s.slug, title=s.title, url=site.series(s.slug))
                for s in await select_public_series(db)
            ]
        )

    @get(
        "/series/{slug:str}",
        summary="Get a series",
        responses={**problems(400, 404), **MOVED},
        operation_class=PublicRead,
    )
    async def get_public_series(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        slug: FromPath[str],
        cursor: FromQuery[str | None] = None,
        limit: PublicLimit = 20,
    ) -> PublicSeries:
        """A series with its public interviews, newest first."""
        series = await select_series_by_slug(db, slug)
        if series is None:
            await follow_old_slug(db, now, "series", slug)
            raise not_found("series")
        cards = await _cards(db, now, PublicFilter(series_slug=slug), cursor, limit, site)
        return PublicSeries(
            slug=slug,
            title=series.title,
            description=series.description,
            status=series.status,
            url=site.series(slug),
            interviews=cards.items,
            next_cursor=cards.next_cursor,
            feeds=site.feeds(f"series/{slug}"),
        )

    @get(
        "/people",
        summary="List people",
        responses=problems(400),
        operation_class=PublicRead,
    )
    async def list_public_people(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        role: FromQuery[Literal["interviewer", "interviewee"] | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: PublicLimit = 20,
    ) -> PersonIndex:
        """People who take part in a public interview (as `role`, if given), by name, each with
        their public interviews counted per role and their page and feeds."""
        after = decode_cursor(cursor, str, str) if cursor else None
        rows = await select_public_people(db, now, role, after, limit + 1)
        page, next_cursor = split_page(rows, limit, lambda row: (row.name, row.slug))
        items = [
            PersonEntry(
                slug=row.slug,
                name=row.name,
                headline=row.headline,
                image=row.image,
                url=site.person(row.slug),
                counts=RoleCounts(interviewer=row.interviewer, interviewee=row.interviewee),
                feeds=site.feeds(f"people/{row.slug}"),
            )
            for row in page
        ]
        return PersonIndex(items=items, next_cursor=next_cursor)

    @get(
        "/people/{slug:str}",
        summary="Get a person",
        responses={**problems(400, 404), **MOVED},
        operation_class=PublicRead,
    )
    async def get_public_person(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        slug: FromPath[str],
        cursor: FromQuery[str | None] = None,
        limit: PublicLimit = 20,
    ) -> PublicPerson:
        """A person with the public interviews they took part in."""
        person = await select_public_person(db, now, slug)
        if person is None:
            await follow_old_slug(db, now, "person", slug)
            raise not_found("person")
        cards = await _cards(db, now, PublicFilter(person_slug=slug), cursor, limit, site)
        return PublicPerson(
            slug=slug,
            name=person.name,
            headline=person.headline,
            bio=person.bio,
            affiliation=person.affiliation,
            image=person.image,
            url=site.person(slug),
            interviews=cards.items,
            next_cursor=cards.next_cursor,
            feeds=site.feeds(f"people/{slug}"),
        )

    @get("/tags", summary="List tags", responses=problems(400), operation_class=PublicRead)
    async def list_public_tags(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        cursor: FromQuery[str | None] = None,
        limit: PublicLimit = 50,
    ) -> TagIndex:
        """Tags of public interviews, the most used first, then by tag, each with how many
        public interviews carry it and its page and feeds."""
        after = decode_cursor(cursor, int, str) if cursor else None
        rows = await select_public_tags(db, now, after, limit + 1)
        page, next_cursor = split_page(rows, limit, lambda row: (row.count, row.tag))
        items = [
            TagEntry(
                tag=row.tag,
                count=row.count,
                url=site.tag(row.tag),
                feeds=site.feeds(tag_scope(row.tag)),
            )
            for row in page
        ]
        return TagIndex(items=items, next_cursor=next_cursor)

    @get(
        "/tags/{tag:path}",  # a tag may hold `/` (percent-encoded, it arrives decoded)
        summary="Get a tag",
        responses=problems(400, 404),
        operation_class=PublicRead,
    )
    async def get_public_tag(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        tag: FromPath[str],
        cursor: FromQuery[str | None] = None,
        limit: PublicLimit = 20,
    ) -> PublicTag:
        """A tag (as stored, percent-encoded in the path) with its public interviews, newest
        first; 404 when no public interview carries it."""
        tag = tag.removeprefix("/")  # as Litestar gives a `path` parameter
        count = await count_public_tagged(db, now, tag)
        if count == 0:
            raise not_found("tag")
        cards = await _cards(db, now, PublicFilter(tag=tag), cursor, limit, site)
        return PublicTag(
            tag=tag,
            count=count,
            url=site.tag(tag),
            interviews=cards.items,
            next_cursor=cards.next_cursor,
            feeds=site.feeds(tag_scope(tag)),
        )

    @get(
        "/interviews",
        summary="List interviews",
        responses={**problems(400), **MOVED},
        operation_class=PublicRead,
    )
    async def list_public_interviews(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        series: SlugParam = None,
        person: SlugParam = None,
        tag: Annotated[str | None, QueryParameter(max_length=60)] = None,
        cursor: FromQuery[str | None] = None,
        limit: PublicLimit = 20,
    ) -> CardPage:
        """Public interviews as cards, newest first, by series, person or tag."""
        where = PublicFilter(series_slug=series, person_slug=person, tag=tag)
        cards = await _cards(db, now, where, cursor, limit, site)
        if not cards.items:  # an old slug matches nothing: that may be why
            await follow_old_slug(db, now, "series", series, "series", "query")
            await follow_old_slug(db, now, "person", person, "person", "query")
        return cards

    @get(
        "/interviews/{slug:str}",
        summary="Get an interview page",
        responses={**problems(404, 410), **MOVED},
        operation_class=PublicRead,
    )
    async def get_public_interview(
        self,
        db: Db,
        now: Now,
        site: NamedDependency[Site],
        slug: FromPath[str],
        formats: Formats = None,
    ) -> PublicInterview:
        """Everything an interview page needs, with related interviews and JSON-LD. Only a
        published interview is public (404 otherwise; 410 once withdrawn). Answers are cached
        and revalidate with ETag / If-None-Match until the content changes."""
        row = await public_interview(db, now, slug)
        return await interview_page(db, now, row, site, formats)

    @get(
        "/interviews/{slug:str}/card",
        summary="Get an interview's card",
        responses={**problems(404, 410), **MOVED},
        operation_class=PublicRead,
    )
    async def get_interview_card(
        self, db: Db, now: Now, site: NamedDependency[Site], slug: FromPath[str]
    ) -> Card:
        """The excerpt card of one interview, with its card teaser (else the excerpt) and the
        `<meta>` for a page's `<head>` (`social`)."""
        row = await public_interview(db, now, slug)
        return msgspec.structs.replace(card(row, site), social=social(row, site))

    @get(
        "/interviews/{slug:str}/related",
        summary="List related interviews",
        responses={**problems(400, 404, 410), **MOVED},
        operation_class=PublicRead,
    )
    async def list_related_interviews(
        self, db: Db, now: Now, site: NamedDependency[Site], slug: FromPath[str], limit: Size = 4
    ) -> CardPage:
        """Interviews related by people, series and tags, then recency."""
        row = await public_interview(db, now, slug)
        rows = await select_related(db, now, row.id, limit)
        return CardPage(items=[card(r, site) for r in rows], next_cursor=None)

    @post(
        "/interviews/{slug:str}/views",
        summary="Count a view",
        status_code=202,
        media_type="text/plain",
        responses={**problems(404, 429), **MOVED},
    )
    async def record_view(
        self,
        db: Db,
        now: Now,
        views: NamedDependency[ViewCounter],
        client: ClientAddress,
        slug: FromPath[str],
    ) -> Response[bytes]:
        """Count a view for the popular section (bounded per client: the address behind
        COLLOQUY_TRUSTED_PROXIES, an IPv6 /64 counting as one)."""
        if wait := await retry_after(db, client, now):
            raise ProblemError(
                429, "too many views from this client", headers={"Retry-After": str(wait)}
            )
        interview_id = await select_public_interview_id(db, now, slug)
        if interview_id is None:
            await follow_old_slug(db, now, "interview", slug)
            raise not_found("interview")
        if await first_in_half_hour(db, client, interview_id, now):
            views.record(interview_id, now.date())
        return Response(b"", status_code=202, media_type="text/plain")
