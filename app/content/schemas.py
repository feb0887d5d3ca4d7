"""What the public Content API serves: excerpt cards, interview pages, front-page sections."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from app.interviews.schemas import Block
from app.schemas import Image


class Public(msgspec.Struct, kw_only=True, omit_defaults=False):
    """Base of public payloads (decoded from our own rows, so unknown fields are no error)."""


class SeriesRef(Public):
    slug: str
    title: str
    url: str


class PersonRef(Public):
    slug: str
    name: str
    headline: str
    url: str


class Quote(Public):
    text: str
    speaker: str


class Card(Public):
    """An excerpt card, as on a front page: everything needed to draw it and link to the page."""

    slug: str
    kicker: str
    headline: str
    title: str
    teaser: str
    pull_quote: Quote | None
    image: Image | None
    interviewers: list[PersonRef]
    interviewees: list[PersonRef]
    byline: str
    published_at: datetime
    reading_minutes: int
    url: str
    call_to_action: str


class Participant(PersonRef):
    role: str


class PageQuote(Quote):
    featured: bool


class FeedLinks(Public):
    """The `<link rel="alternate">` targets of a page's feeds."""

    rss: str
    atom: str
    json: str


class InterviewPage(Public):
    id: UUID
    slug: str
    title: str
    standfirst: str
    series: SeriesRef
    participants: list[Participant]
    body: list[Block]
    html: str
    pull_quotes: list[PageQuote]
    teasers: dict[str, str]
    image: Image | None
    tags: list[str]
    published_at: datetime
    updated_at: datetime
    reading_minutes: int
    url: str
    card: Card
    related: list[Card]
    feeds: FeedLinks
    json_ld: dict[str, Any]


class CardPage(Public):
    items: list[Card]
    next_cursor: str | None


class Section(Public):
    name: str
    title: str
    items: list[Card]


class Frontpage(Public):
    sections: list[Section]
    feeds: FeedLinks


class SeriesPage(Public):
    slug: str
    title: str
    description: str
    status: str
    url: str
    interviews: list[Card]
    next_cursor: str | None
    feeds: FeedLinks


class PersonPage(Public):
    slug: str
    name: str
    headline: str
    bio: str
    affiliation: str
    image: Image | None
    url: str
    interviews: list[Card]
    next_cursor: str | None
    feeds: FeedLinks


class SeriesList(Public):
    items: list[SeriesRef]
