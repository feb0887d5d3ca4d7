"""Payloads of the people resource: interviewers and interviewees."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from app.schemas import (
    LINE,
    PLAIN,
    Base,
    Image,
    ImageIn,
    Link,
    LongText,
    PlainText,
    ShortText,
    Slug,
)

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, description=PLAIN, extra=LINE)]
Links = Annotated[list[Link], msgspec.Meta(max_length=20)]


class Person(Base):
    id: UUID
    slug: str
    name: PlainText
    headline: PlainText
    bio: PlainText
    affiliation: PlainText
    image: Image | None
    links: list[Link]
    version: int
    created_at: datetime
    updated_at: datetime


class PersonCreate(Base):
    name: Name
    slug: Slug | None = None
    headline: ShortText = ""
    bio: LongText = ""
    affiliation: ShortText = ""
    image: ImageIn | None = None
    links: Links = []


class PersonUpdate(Base):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    slug: Slug | msgspec.UnsetType = msgspec.UNSET
    headline: ShortText | msgspec.UnsetType = msgspec.UNSET
    bio: LongText | msgspec.UnsetType = msgspec.UNSET
    affiliation: ShortText | msgspec.UnsetType = msgspec.UNSET
    image: ImageIn | msgspec.UnsetType | None = msgspec.UNSET
    links: Links | msgspec.UnsetType = msgspec.UNSET


class PersonList(Base):
    items: list[Person]
    next_cursor: str | None
