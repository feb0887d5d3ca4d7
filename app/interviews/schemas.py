"""Payloads of the interview resource and its parts."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from app.schemas import (
    PLAIN,
    AwareTime,
    Base,
    Image,
    ImageIn,
    LongText,
    PlainText,
    Slug,
    Tag,
    Title,
)

InterviewStatus = Literal["draft", "scheduled", "published", "withdrawn"]
ParticipantRole = Literal["interviewer", "interviewee"]
Placement = Literal["card", "frontpage", "social", "newsletter"]
BlockText = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=20_000,
        description="Inline HTML: `em`, `strong` and `a` with an absolute http(s) or mailto: "
        "href. Other tags and attributes are removed (their text kept); `&lt;` shows `<`.",
    ),
]
BlockId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class BlockBase(Base, tag_field="type", kw_only=True):
    """A body block; `id` is given by the server when absent and kept across edits."""

    id: BlockId | None = None
    text: BlockText


class Question(BlockBase, tag="question", kw_only=True):
    speaker_id: UUID


class Answer(BlockBase, tag="answer", kw_only=True):
    speaker_id: UUID


class Paragraph(BlockBase, tag="paragraph"):
    pass


class Heading(BlockBase, tag="heading"):
    pass


Block = Question | Answer | Paragraph | Heading
Body = Annotated[list[Block], msgspec.Meta(max_length=500)]


class Participant(Base):
    person_id: UUID
    role: ParticipantRole
    slug: str
    name: PlainText
    headline: PlainText


class ParticipantIn(Base):
    person_id: UUID
    role: ParticipantRole


Participants = Annotated[list[ParticipantIn], msgspec.Meta(max_length=50)]


class PullQuote(Base):
    id: UUID
    text: PlainText
    speaker_id: UUID
    block_id: str | None
    position: int
    featured: bool


QuoteText = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=1000,
        description=f"{PLAIN} A quote naming its answer block must occur in the text a reader "
        "sees of that answer.",
    ),
]


class PullQuoteCreate(Base):
    text: QuoteText
    speaker_id: UUID
    block_id: BlockId | None = None
    featured: bool = False
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | None = None


class PullQuoteUpdate(Base):
    text: QuoteText | msgspec.UnsetType = msgspec.UNSET
    speaker_id: UUID | msgspec.UnsetType = msgspec.UNSET
    block_id: BlockId | msgspec.UnsetType | None = msgspec.UNSET
    featured: bool | msgspec.UnsetType = msgspec.UNSET
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | msgspec.UnsetType = msgspec.UNSET


class TeaserIn(Base):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000, description=PLAIN)]


class Interview(Base):
    id: UUID
    series_id: UUID
    slug: str
    title: PlainText
    standfirst: PlainText
    body: list[Block]
    image: Image | None
    tags: list[PlainText]
    status: InterviewStatus
    publish_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    participants: list[Participant]
    pull_quotes: list[PullQuote]
    teasers: Annotated[dict[str, str], msgspec.Meta(description=f"Placement -> teaser. {PLAIN}")]
    version: int
    created_at: datetime
    updated_at: datetime


Tags = Annotated[list[Tag], msgspec.Meta(max_length=30)]


class InterviewCreate(Base):
    series_id: UUID
    title: Title
    slug: Slug | None = None
    standfirst: LongText = ""
    body: Body = []
    image: ImageIn | None = None
    tags: Tags = []
    participants: Participants = []


class InterviewUpdate(Base):
    series_id: UUID | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    slug: Slug | msgspec.UnsetType = msgspec.UNSET
    standfirst: LongText | msgspec.UnsetType = msgspec.UNSET
    body: Body | msgspec.UnsetType = msgspec.UNSET
    image: ImageIn | msgspec.UnsetType | None = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET


class InterviewList(Base):
    items: list[Interview]
    next_cursor: str | None


class ScheduleRequest(Base):
    """Either `publish_at` or `slot`. A time that is not a slot of the series' cadence, or
    whose slot another interview has, needs `confirm`."""

    publish_at: AwareTime | None = None
    slot: Literal["next"] | None = None
    confirm: bool = False
