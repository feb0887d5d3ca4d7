"""Struct conventions and field types shared by every resource."""

from typing import Annotated

import msgspec


class Base(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every payload.

    forbid_unknown_fields: a misspelt field is an error, not silently ignored.
    kw_only: fields with and without defaults can come in any order.
    """


Slug = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=120,
        # Lower-case letters (any script) and digits, in runs joined by single hyphens.
        pattern=r"^[^\W_A-Z]+(?:-[^\W_A-Z]+)*$",
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
