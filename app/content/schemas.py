"""What the public Content API serves: excerpt cards, interview pages, front-page sections."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar.params import QueryParameter

from app.images import Rendition
from app.interviews.schemas import Block
from app.schemas import PLAIN, Image, PlainText
from app.site import FeedLinks

JSON_LD = (
    "schema.org NewsArticle (genre Interview). Its strings are plain text, and may hold `<`, "
    "`&`, U+2028 or `</script>`: a frontend that serializes this object into a "
    '`<script type="application/ld+json">` must escape `<`, `>`, `&`, U+2028 and U+2029 as '
    "`\\u003c`, `\\u003e`, `\\u0026`, `\\u2028` and `\\u2029`, or use `json_ld_script`."
)
JSON_LD_SCRIPT = (
    "`json_ld` serialized with `<`, `>`, `&`, U+2028 and U+2029 escaped as JSON `\\u` escapes: "
    'safe to put as is inside `<script type="application/ld+json">`.'
)

STANDFIRST = (
    f"{PLAIN} The standfirst: the lines under the title that say what the interview is about; "
    "it may hold newlines."
)


BodyFormat = Literal["html", "blocks", "text"]
DEFAULT_FORMATS: tuple[BodyFormat, ...] = ("html", "blocks")
Formats = Annotated[
    list[BodyFormat] | None,
    QueryParameter(
        description="The forms of the body to include: `html`, `blocks` (`body`) and `text` "
        "(`body_text`), comma-separated or repeated; by default `html,blocks`. A form not "
        "asked for is left out of the answer."
    ),
]


class Public(msgspec.Struct, kw_only=True, omit_defaults=False):
    """Base of public payloads (decoded from our own rows, so unknown fields are no error)."""


class SeriesRef(Public):
    slug: str
    title: PlainText
    url: str


class PersonRef(Public):
    slug: str
    name: PlainText
    headline: PlainText
    url: str


class Quote(Public):
    text: PlainText
    speaker: PlainText


class MetaTag(Public, kw_only=True, omit_defaults=True):
    """One `<meta>` of `<head>`: `property` for Open Graph, `name` for Twitter. `content` is
    plain text: escape it as an attribute value (`&`, `<`, `"`) as you write the element."""

    property: str | msgspec.UnsetType = msgspec.UNSET
    name: str | msgspec.UnsetType = msgspec.UNSET
    content: PlainText


SRCSET = (
    "The sizes to offer in `<img srcset>`, narrowest first: write each as `{url} {width}w`, "
    "comma-separated (the URLs hold no spaces). With COLLOQUY_IMAGE_URL_TEMPLATE, the image "
    "service's URLs at 320, 640, 960, 1280 and 1920 px wide, only those narrower than the "
    "original, then the original's own width when it is narrower than 1920; without it, the "
    "original alone. Empty for an image stored without its size."
)


class PublicImage(Image, kw_only=True):
    """An image as cards and pages show it: as stored, with the sizes a srcset offers."""

    srcset: Annotated[list[Rendition], msgspec.Meta(description=SRCSET)]


SOCIAL = (
    "Open Graph and Twitter `<meta>` for `<head>`, in order: one `<meta property=... content=...>` "
    "or `<meta name=... content=...>` each. The description is the `social` teaser, else the "
    "card teaser, else the excerpt; an image's own properties follow it."
)


class Card(Public):
    """An excerpt card, as on a front page: everything needed to draw it and link to the page."""

    slug: str
    kicker: PlainText
    headline: PlainText
    title: PlainText
    teaser: Annotated[
        str,
        msgspec.Meta(
            description=f"{PLAIN} The card teaser (on the front page, the `frontpage` teaser "
            "first), else whole sentences of the first answer as a reader sees them (so `&lt;` "
            "in the body is `<` here)."
        ),
    ]
    standfirst: Annotated[
        str | None, msgspec.Meta(description=f"{STANDFIRST} None when the interview has none.")
    ]
    pull_quote: Quote | None
    image: PublicImage | None
    interviewers: list[PersonRef]
    interviewees: list[PersonRef]
    byline: PlainText
    published_at: datetime
    reading_minutes: int
    url: str
    call_to_action: PlainText
    social: Annotated[
        list[MetaTag] | msgspec.UnsetType,
        msgspec.Meta(description=f"{SOCIAL} Only on a card fetched alone."),
    ] = msgspec.UNSET


class PublicParticipant(PersonRef):
    """A person taking part, as the page shows them: `id` is the `speaker_id` of their blocks."""

    id: UUID
    role: str
    image: Image | None


class PublicPullQuote(Quote):
    featured: bool


class TextBlock(Public):
    """A body block as plain text: what a reader sees of it, tags removed and entities decoded."""

    id: str | None
    type: Literal["question", "answer", "paragraph", "heading"]
    speaker_id: Annotated[
        UUID | None, msgspec.Meta(description="The participant who speaks (questions, answers).")
    ]
    text: PlainText


class PublicInterview(Public, kw_only=True):
    id: UUID
    slug: str
    title: PlainText
    standfirst: Annotated[str, msgspec.Meta(description=f"{STANDFIRST} Empty when there is none.")]
    series: SeriesRef
    participants: list[PublicParticipant]
    body: Annotated[
        list[Block] | msgspec.UnsetType,
        msgspec.Meta(
            description="The body's blocks, their text sanitised inline HTML; with `blocks` in "
            "`formats` (a default)."
        ),
    ] = msgspec.UNSET
    html: Annotated[
        str | msgspec.UnsetType,
        msgspec.Meta(
            description="HTML: the body's sanitised inline HTML in paragraphs, with the "
            "speakers' names escaped. Safe to insert as is. With `html` in `formats` (a default)."
        ),
    ] = msgspec.UNSET
    body_text: Annotated[
        list[TextBlock] | msgspec.UnsetType,
        msgspec.Meta(description="The body's blocks as plain text; with `text` in `formats`."),
    ] = msgspec.UNSET
    pull_quotes: list[PublicPullQuote]
    teasers: Annotated[dict[str, str], msgspec.Meta(description=f"Placement -> teaser. {PLAIN}")]
    image: PublicImage | None
    tags: Annotated[
        list[str], msgspec.Meta(description="Each tag is plain text, not HTML: escape it in HTML.")
    ]
    published_at: datetime
    updated_at: datetime
    reading_minutes: int
    url: str
    card: Card
    related: list[Card]
    social: Annotated[list[MetaTag], msgspec.Meta(description=SOCIAL)]
    feeds: FeedLinks
    json_ld: Annotated[dict[str, Any], msgspec.Meta(description=JSON_LD)]
    json_ld_script: Annotated[str, msgspec.Meta(description=JSON_LD_SCRIPT)]


class CardPage(Public):
    items: list[Card]
    next_cursor: str | None


class FrontpageSection(Public):
    name: str
    title: PlainText
    items: list[Card]


class Frontpage(Public):
    sections: list[FrontpageSection]
    feeds: FeedLinks


class PublicSeries(Public):
    slug: str
    title: PlainText
    description: PlainText
    status: str
    url: str
    interviews: list[Card]
    next_cursor: str | None
    feeds: FeedLinks


class PublicPerson(Public):
    slug: str
    name: PlainText
    headline: PlainText
    bio: PlainText
    affiliation: PlainText
    image: Image | None
    url: str
    interviews: list[Card]
    next_cursor: str | None
    feeds: FeedLinks


class RoleCounts(Public):
    """How many public interviews a person took part in, per role."""

    interviewer: int
    interviewee: int


class PersonEntry(Public):
    """A person in the index of people: who they are, where their page and feeds are."""

    slug: str
    name: PlainText
    headline: PlainText
    image: Image | None
    url: str
    counts: RoleCounts
    feeds: FeedLinks


class PersonIndex(Public):
    items: list[PersonEntry]
    next_cursor: str | None


TAG = "The tag as stored, plain text: escape it in HTML, percent-encode it in a URL."


class TagEntry(Public):
    """A tag in the index of tags: how many public interviews carry it, its page and feeds."""

    tag: Annotated[str, msgspec.Meta(description=TAG)]
    count: int
    url: str
    feeds: FeedLinks


class TagIndex(Public):
    items: Annotated[list[TagEntry], msgspec.Meta(description="The most used first, then by tag.")]
    next_cursor: str | None


class PublicTag(Public):
    """A tag with its public interviews, newest first."""

    tag: Annotated[str, msgspec.Meta(description=TAG)]
    count: int
    url: str
    interviews: list[Card]
    next_cursor: str | None
    feeds: FeedLinks


class SeriesRefList(Public):
    items: list[SeriesRef]


class NewsletterItem(Public):
    """An interview in a newsletter: what its entry shows and where it links."""

    slug: str
    kicker: PlainText
    headline: PlainText
    title: PlainText
    teaser: Annotated[
        str,
        msgspec.Meta(
            description=f"{PLAIN} The `newsletter` teaser, else the card teaser, else whole "
            "sentences of the first answer."
        ),
    ]
    pull_quote: Quote | None
    image: Image | None
    byline: PlainText
    published_at: datetime
    url: str


class Newsletter(Public):
    """An email-ready digest of the public interviews published in [since, until)."""

    subject: PlainText
    preheader: Annotated[
        str,
        msgspec.Meta(
            description=f"{PLAIN} The line inboxes show after the subject (the HTML has it too, "
            "hidden, at the top of its body)."
        ),
    ]
    html: Annotated[
        str,
        msgspec.Meta(
            description="The email's HTML document, every text escaped: a table layout with "
            "inline styles and absolute URLs only, no script, style sheet or external CSS. Send "
            "it as is, with `text` as its plain-text alternative (multipart/alternative)."
        ),
    ]
    text: Annotated[str, msgspec.Meta(description="The plain-text alternative of `html`.")]
    since: datetime
    until: datetime
    items: Annotated[
        list[NewsletterItem],
        msgspec.Meta(description="Newest first, at most 50 (the newest of the window)."),
    ]
