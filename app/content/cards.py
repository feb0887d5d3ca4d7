"""Public rows into excerpt cards, interview pages and their schema.org description."""

from collections.abc import Collection
from datetime import datetime
from typing import Any, Literal

import asyncpg
import msgspec

from app.content.queries import PublicRow, select_related
from app.content.schemas import (
    DEFAULT_FORMATS,
    BodyFormat,
    Card,
    MetaTag,
    PersonRef,
    PublicImage,
    PublicInterview,
    PublicParticipant,
    PublicPullQuote,
    Quote,
    SeriesRef,
    TextBlock,
)
from app.images import social_image, srcset
from app.interviews.render import body_html, excerpt, reading_minutes
from app.interviews.schemas import Answer, Block, Heading, Paragraph, Placement, Question
from app.schemas import Image
from app.site import Site
from app.text import visible_text

CALL_TO_ACTION = "Read the interview in full"
RELATED = 4  # related interviews on a page
BLOCK_TYPES: dict[type, Literal["question", "answer", "paragraph", "heading"]] = {
    Question: "question",
    Answer: "answer",
    Paragraph: "paragraph",
    Heading: "heading",
}
# Inside <script>, `</script` or `<!--` in a string would end or change the element, and old
# JavaScript parsers take U+2028/U+2029 for line ends; escaped, they are the same JSON.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _names(row: PublicRow, role: str) -> list[str]:
    return [p.name for p in row.participants if p.role == role]


def byline(row: PublicRow) -> str:
    """'Conducted by Lauri Nikulainen', as the seed's card says it."""
    interviewers = _names(row, "interviewer")
    return f"Conducted by {' and '.join(interviewers)}" if interviewers else ""


def _people(row: PublicRow, role: str, site: Site) -> list[PersonRef]:
    return [
        PersonRef(slug=p.slug, name=p.name, headline=p.headline, url=site.person(p.slug))
        for p in row.participants
        if p.role == role
    ]


def teaser(row: PublicRow, placement: Placement) -> str:
    """Plain text for `placement`: its own teaser, else the card's, else whole sentences of the
    first answer."""
    return row.teasers.get(placement) or row.teasers.get("card") or excerpt(row.body)


def summary(row: PublicRow) -> str:
    """Plain text that says what the interview is: its card teaser, else its standfirst, else
    whole sentences of its first answer. JSON-LD's description and the feeds' summaries."""
    return row.teasers.get("card") or row.standfirst or excerpt(row.body)


def featured_quote(row: PublicRow) -> Quote | None:
    names = {p.id: p.name for p in row.participants}
    featured = next((q for q in row.pull_quotes if q.featured), None)
    if featured is None:
        return None
    return Quote(text=featured.text, speaker=names.get(featured.speaker_id, ""))


def headline(row: PublicRow) -> str:
    """Who is interviewed, as the seed's card says it, else the title."""
    return " and ".join(_names(row, "interviewee")) or row.title


def public_image(image: Image | None, site: Site) -> PublicImage | None:
    """The image with the sizes its srcset offers, through the site's image service if any."""
    if image is None:
        return None
    sizes = srcset(image, site.image_url_template)
    return PublicImage(**msgspec.structs.asdict(image), srcset=sizes)


def card(row: PublicRow, site: Site, placement: Placement = "card") -> Card:
    """The excerpt card, with the teaser of `placement` (the front page's, or the card's)."""
    return Card(
        slug=row.slug,
        kicker=row.series_title,
        headline=headline(row),
        title=row.title,
        teaser=teaser(row, placement),
        standfirst=row.standfirst or None,
        pull_quote=featured_quote(row),
        image=public_image(row.image, site),
        interviewers=_people(row, "interviewer", site),
        interviewees=_people(row, "interviewee", site),
        byline=byline(row),
        published_at=row.published_at,
        reading_minutes=reading_minutes(row.body),
        url=site.interview(row.slug),
        call_to_action=CALL_TO_ACTION,
    )


def _og(prop: str, content: str) -> MetaTag:
    return MetaTag(property=prop, content=content)


def _twitter(name: str, content: str) -> MetaTag:
    return MetaTag(name=name, content=content)


def og_locale(language: str) -> str:
    """Open Graph's language_TERRITORY from a language tag: en-GB -> en_GB; a tag without a
    territory stays as it is (en), as no territory can be told from it."""
    return language.replace("-", "_")


def _social_image(image: Image, site: Site) -> tuple[list[MetaTag], list[MetaTag]]:
    """The Open Graph and the Twitter tags of the image: 1200 x 630 through the site's image
    service, else the original with its size where it is known. A decorative image has no alt,
    and none is made up for it."""
    shown = social_image(image, site.image_url_template)
    og = [_og("og:image", shown.url)]
    if shown.width is not None and shown.height is not None:
        og += [_og("og:image:width", str(shown.width)), _og("og:image:height", str(shown.height))]
    twitter = [_twitter("twitter:image", shown.url)]
    if image.alt:
        og.append(_og("og:image:alt", image.alt))
        twitter.append(_twitter("twitter:image:alt", image.alt))
    return og, twitter


def social(row: PublicRow, site: Site) -> list[MetaTag]:
    """The Open Graph and Twitter `<meta>` of the interview, for `<head>`."""
    description = teaser(row, "social")
    og_image, twitter_image = _social_image(row.image, site) if row.image else ([], [])
    return [
        _og("og:type", "article"),
        _og("og:site_name", site.title),
        _og("og:locale", og_locale(site.language)),
        _og("og:url", site.interview(row.slug)),
        _og("og:title", row.title),
        _og("og:description", description),
        *og_image,
        _og("article:published_time", row.published_at.isoformat()),
        _og("article:modified_time", max(row.updated_at, row.published_at).isoformat()),
        _og("article:section", row.series_title),
        *(_og("article:author", p.url) for p in _people(row, "interviewer", site)),
        *(_og("article:tag", tag) for tag in row.tags),
        _twitter("twitter:card", "summary_large_image" if row.image else "summary"),
        _twitter("twitter:title", row.title),
        _twitter("twitter:description", description),
        *twitter_image,
    ]


def _text_block(block: Block) -> TextBlock:
    return TextBlock(
        id=block.id,
        type=BLOCK_TYPES[type(block)],
        speaker_id=block.speaker_id if isinstance(block, Question | Answer) else None,
        text=visible_text(block.text),
    )


def page(
    row: PublicRow,
    related: list[PublicRow],
    site: Site,
    formats: Collection[BodyFormat] = DEFAULT_FORMATS,
) -> PublicInterview:
    """The page, with the forms of the body that `formats` names."""
    names = {p.id: p.name for p in row.participants}
    linked_data = json_ld(row, site)
    return PublicInterview(
        id=row.id,
        slug=row.slug,
        title=row.title,
        standfirst=row.standfirst,
        series=SeriesRef(
            slug=row.series_slug, title=row.series_title, url=site.series(row.series_slug)
        ),
        participants=[
            PublicParticipant(
                id=p.id,
                slug=p.slug,
                name=p.name,
                headline=p.headline,
                role=p.role,
                image=p.image,
                url=site.person(p.slug),
            )
            for p in row.participants
        ],
        body=row.body if "blocks" in formats else msgspec.UNSET,
        html=body_html(row.body, names) if "html" in formats else msgspec.UNSET,
        body_text=[_text_block(b) for b in row.body] if "text" in formats else msgspec.UNSET,
        pull_quotes=[
            PublicPullQuote(text=q.text, speaker=names.get(q.speaker_id, ""), featured=q.featured)
            for q in row.pull_quotes
        ],
        teasers=row.teasers,
        image=public_image(row.image, site),
        tags=row.tags,
        published_at=row.published_at,
        updated_at=row.updated_at,
        reading_minutes=reading_minutes(row.body),
        url=site.interview(row.slug),
        card=card(row, site),
        related=[card(r, site) for r in related],
        social=social(row, site),
        feeds=site.feeds(f"series/{row.series_slug}"),
        json_ld=linked_data,
        json_ld_script=script_json(linked_data),
    )


async def interview_page(
    db: asyncpg.Connection,
    now: datetime,
    row: PublicRow,
    site: Site,
    formats: Collection[BodyFormat] | None,
) -> PublicInterview:
    """The page of an interview, with its related interviews, whatever its status: what the
    Content API shows once it is public, and previews and editors' tools before."""
    related = await select_related(db, now, row.id, RELATED)
    return page(row, related, site, formats or DEFAULT_FORMATS)


def script_json(document: dict[str, Any]) -> str:
    """`document` as JSON that may go as is into `<script type="application/ld+json">`."""
    return msgspec.json.encode(document).decode().translate(_SCRIPT_SAFE)


def json_ld(row: PublicRow, site: Site) -> dict[str, Any]:
    """schema.org NewsArticle of genre Interview, its pull quotes as Quotation."""
    names = {p.id: p.name for p in row.participants}

    def person(name: str, slug: str) -> dict[str, str]:
        return {"@type": "Person", "name": name, "url": site.person(slug)}

    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "genre": "Interview",
        "headline": row.title,
        "url": site.interview(row.slug),
        "mainEntityOfPage": site.interview(row.slug),
        "datePublished": row.published_at.isoformat(),
        "dateModified": max(row.updated_at, row.published_at).isoformat(),
        "author": [person(p.name, p.slug) for p in row.participants if p.role == "interviewer"],
        "about": [person(p.name, p.slug) for p in row.participants if p.role == "interviewee"],
        "isPartOf": {
            "@type": "CreativeWorkSeries",
            "name": row.series_title,
            "url": site.series(row.series_slug),
        },
        "keywords": row.tags,
        "description": summary(row),
        "hasPart": [
            {
                "@type": "Quotation",
                "text": q.text,
                "creator": {"@type": "Person", "name": names.get(q.speaker_id, "")},
            }
            for q in row.pull_quotes
        ],
    }
    if row.image:
        document["image"] = _image_object(row.image)
    return document


def _image_object(image: Image) -> dict[str, Any]:
    """schema.org ImageObject: its caption is the image's, else its alt (none if decorative)."""
    found: dict[str, Any] = {"@type": "ImageObject", "url": image.url}
    if caption := image.caption or image.alt:
        found["caption"] = caption
    if image.width is not None and image.height is not None:
        found |= {"width": image.width, "height": image.height}
    if image.credit:
        found["creditText"] = image.credit
    return found
