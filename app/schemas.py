"""Struct conventions and field types shared by every resource."""

from typing import Annotated

import msgspec

from app.text import strip_controls


class Base(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every payload.

    forbid_unknown_fields: a misspelt field is an error, not silently ignored.
    kw_only: fields with and without defaults can come in any order.
    Control characters (NUL among them, which PostgreSQL cannot store) are dropped from every
    text field on the way in, so they reach neither the database nor a feed.
    """

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, strip_controls(value))
            elif isinstance(value, list) and value and isinstance(value[0], str):
                setattr(self, name, [strip_controls(item) for item in value])


Slug = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=120,
        # Runs of lower-case ASCII letters, digits or letters (with their marks) of other
        # scripts, joined by single hyphens. Python's re has no \p{M}, hence the range.
        pattern=r"^[a-z0-9\u00c0-\U0010ffff]+(?:-[a-z0-9\u00c0-\U0010ffff]+)*$",
        description="lower-case words joined by hyphens, e.g. `thursday-interview`",
    ),
]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
ShortText = Annotated[str, msgspec.Meta(max_length=300)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
Url = Annotated[
    str, msgspec.Meta(max_length=2000, pattern=r"^https?://[^\s]+$", description="http(s) URL")
]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]


class Image(Base):
    """An image with the alt text that screen readers and feeds need."""

    url: Url
    alt: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    credit: ShortText = ""


class Link(Base):
    label: ShortText
    url: Url
