"""Sitemaps for search engines: an index, the public interviews in pages of at most 50,000, the
series, the people, and a Google News sitemap of the last 48 hours. Cached and conditional as
every public read is (app/cache.py)."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Parameter, Schema
from litestar.params import FromPath

from app.clock import Now
from app.db import Db
from app.errors import not_found, problems
from app.openapi import PublicRead
from app.settings import Settings
from app.site import Site
from app.sitemaps.documents import Location, news_urlset, sitemap_index, urlset
from app.sitemaps.queries import (
    Page,
    select_interview_lastmods,
    select_interview_pages,
    select_news,
    select_people_pages,
    select_series_pages,
)

MEDIA_TYPE = "application/xml; charset=utf-8"
PAGE_SIZE = 50_000  # URLs per interviews sitemap: the protocol's limit
NEWS_WINDOW = timedelta(hours=48)  # what Google News takes from a news sitemap
NEWS_LIMIT = 1_000  # news URLs per sitemap, Google's limit
MAX_PAGES = 50_000  # sitemaps an index may list
INTERVIEW_PAGE = r"^interviews-([1-9][0-9]*)\.xml$"
_INTERVIEW_PAGE = re.compile(INTERVIEW_PAGE)


@dataclass
class SitemapOperation(PublicRead):
    """A sitemap in the OpenAPI: XML, which Litestar cannot tell from the bytes it answers."""

    def __post_init__(self) -> None:
        assert self.responses is not None
        ok = self.responses["200"]
        assert isinstance(ok, OpenAPIResponse)
        ok.content = {
            MEDIA_TYPE.partition(";")[0]: OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, description="sitemaps.org 0.9 XML")
            )
        }
        super().__post_init__()


@dataclass
class InterviewSitemapOperation(SitemapOperation):
    """A page of the interviews sitemap, named by its number."""

    def __post_init__(self) -> None:
        for parameter in self.parameters or []:
            if isinstance(parameter, Parameter) and parameter.name == "file":
                parameter.schema = Schema(
                    type=OpenAPIType.STRING,
                    pattern=INTERVIEW_PAGE,
                    description="interviews-{n}.xml, n from 1 (the index lists them)",
                    examples=["interviews-1.xml"],
                )
        super().__post_init__()


def _xml(document: bytes) -> Response[bytes]:
    return Response(document, media_type=MEDIA_TYPE)


def _page_number(file: str) -> int:
    """'interviews-3.xml' -> 3; 404 for any other name, and past what an index can list."""
    match = _INTERVIEW_PAGE.fullmatch(file)
    if match is None or len(match[1]) > len(str(MAX_PAGES)) or int(match[1]) > MAX_PAGES:
        raise not_found("sitemap")
    return int(match[1])


def _sitemap_url(site: Site, name: str) -> str:
    """Sitemaps are served on the site (the frontend passes /sitemaps/ on, as it does /feeds/):
    a sitemap may only list URLs of its own host."""
    return f"{site.base_url}/sitemaps/{name}"


def _listed(pages: list[Page], url_of: Callable[[str], str]) -> list[Location]:
    return [
        Location(loc=url_of(page.slug), lastmod=page.lastmod, image_url=page.image_url)
        for page in pages
    ]


def _latest(times: Iterable[datetime | None]) -> datetime | None:
    return max((when for when in times if when is not None), default=None)


class SitemapController(Controller):
    path = "/sitemaps"
    tags = ["sitemaps"]

    @get(
        "/index.xml",
        summary="Get the sitemap index",
        responses=problems(),
        operation_class=SitemapOperation,
    )
    async def get_sitemap_index(
        self, db: Db, now: Now, site: NamedDependency[Site]
    ) -> Response[bytes]:
        """Every sitemap, with when what it lists last changed: the pages of interviews (the
        first even while there is no public interview), the series, the people and the news."""
        pages: list[datetime | None] = [*await select_interview_lastmods(db, now, PAGE_SIZE)]
        series = await select_series_pages(db, now)
        people = await select_people_pages(db, now)
        news = await select_news(db, now, now - NEWS_WINDOW, NEWS_LIMIT)
        sitemaps = [
            *(
                Location(loc=_sitemap_url(site, f"interviews-{n}.xml"), lastmod=lastmod)
                for n, lastmod in enumerate(pages or [None], start=1)
            ),
            Location(
                loc=_sitemap_url(site, "series.xml"), lastmod=_latest(s.lastmod for s in series)
            ),
            Location(
                loc=_sitemap_url(site, "people.xml"), lastmod=_latest(p.lastmod for p in people)
            ),
            Location(loc=_sitemap_url(site, "news.xml"), lastmod=_latest(i.lastmod for i in news)),
        ]
        return _xml(sitemap_index(sitemaps))

    @get(
        "/{file:str}",
        summary="Get a page of the interviews sitemap",
        responses=problems(404),
        operation_class=InterviewSitemapOperation,
    )
    async def get_interviews_sitemap(
        self, db: Db, now: Now, site: NamedDependency[Site], file: FromPath[str]
    ) -> Response[bytes]:
        """/sitemaps/interviews-{n}.xml: the n-th page of public interviews, oldest first (a
        new interview goes on the last page), each with when it last changed and its image."""
        number = _page_number(file)
        pages = await select_interview_pages(db, now, (number - 1) * PAGE_SIZE, PAGE_SIZE)
        if not pages and number > 1:
            raise not_found("sitemap")
        return _xml(urlset(_listed(pages, site.interview)))

    @get(
        "/series.xml",
        summary="Get the series sitemap",
        responses=problems(),
        operation_class=SitemapOperation,
    )
    async def get_series_sitemap(
        self, db: Db, now: Now, site: NamedDependency[Site]
    ) -> Response[bytes]:
        """The series listed publicly (not hidden nor unlisted), ended ones too, each with when
        it or one of its public interviews last changed."""
        return _xml(urlset(_listed(await select_series_pages(db, now), site.series)))

    @get(
        "/people.xml",
        summary="Get the people sitemap",
        responses=problems(),
        operation_class=SitemapOperation,
    )
    async def get_people_sitemap(
        self, db: Db, now: Now, site: NamedDependency[Site]
    ) -> Response[bytes]:
        """The people who take part in a public interview, each with when they or one of their
        public interviews last changed."""
        return _xml(urlset(_listed(await select_people_pages(db, now), site.person)))

    @get(
        "/news.xml",
        summary="Get the Google News sitemap",
        responses=problems(),
        operation_class=SitemapOperation,
    )
    async def get_news_sitemap(
        self, db: Db, now: Now, settings: NamedDependency[Settings], site: NamedDependency[Site]
    ) -> Response[bytes]:
        """The public interviews that appeared in the last 48 hours, newest first (at most
        1,000), with the publication's name (COLLOQUY_SITE_TITLE) and language
        (COLLOQUY_SITE_LANGUAGE), and each one's publication time and title."""
        news = await select_news(db, now, now - NEWS_WINDOW, NEWS_LIMIT)
        items = [(site.interview(item.slug), item) for item in news]
        return _xml(news_urlset(items, settings.site_title, settings.site_language))
