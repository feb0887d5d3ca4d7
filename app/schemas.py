"""Struct conventions and field types shared by every resource."""

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Literal

import msgspec
from msgspec import inspect

from app.errors import unprocessable_field
from app.slugs import is_slug
from app.text import is_blank, normalize_line, normalize_text

TextKind = Literal["prose", "line", "slug"]


class Base(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every payload.

    forbid_unknown_fields: a misspelt field is an error, not silently ignored.
    kw_only: fields with and without defaults can come in any order.
    Text is normalised, then checked: each str field (or list of str) is normalised as its
    type's `Meta(extra={"text": kind})` says (see `TextField`). msgspec checked the value as
    sent; where normalising changed it, the type's limits are checked again on what is kept, so
    a title of one control character is a 422 naming `title`, not a title stored empty.
    """

    def __post_init__(self) -> None:
        if _FROM_DATABASE.get():
            return
        for field in text_fields(type(self)):
            value = getattr(self, field.name)
            if isinstance(value, str):
                setattr(self, field.name, field.normalize(field.name, value))
            elif isinstance(value, list):
                paths = (f"{field.name}[{index}]" for index in range(len(value)))
                setattr(self, field.name, list(map(field.normalize, paths, value)))


_FROM_DATABASE = ContextVar("from_database", default=False)


@contextmanager
def from_database() -> Iterator[None]:
    """Structs made inside are read back from the database, where their text was stored
    normalised: they are not normalised again (that was a fifth of a cold front page's time,
    and on an edit 57 Structs' worth of text)."""
    token = _FROM_DATABASE.set(True)
    try:
        yield
    finally:
        _FROM_DATABASE.reset(token)


def given(update: msgspec.Struct) -> dict[str, object]:
    """The fields of an update that were given: those not left UNSET."""
    fields = msgspec.structs.asdict(update)
    return {name: value for name, value in fields.items() if value is not msgspec.UNSET}


@dataclass(frozen=True)
class TextField:
    """A text field of a Struct, how its text is normalised, and the limits its type sets.

    prose (the default): NFC, plain newlines, no control characters or noncharacters.
    line (titles, names, tags): as prose, without bidi controls or surrounding spaces; a
    required line needs a visible character.
    slug: NFC, and refused rather than changed unless it is lower-case words joined by hyphens:
    a slug given explicitly is a URL someone chose, never to be rewritten behind their back.
    """

    name: str
    kind: TextKind
    limits: inspect.StrType

    def normalize(self, path: str, value: str) -> str:
        if self.kind == "slug":
            slug = unicodedata.normalize("NFC", value)
            if not is_slug(slug):
                detail = "a slug is lower-case letters, marks and digits joined by hyphens"
                raise unprocessable_field(path, detail)
            return slug
        text = normalize_line(value) if self.kind == "line" else normalize_text(value)
        if text != value:
            self.check(path, text)
        if self.kind == "line" and self.limits.min_length and is_blank(text):
            raise unprocessable_field(path, "has no visible character")
        return text

    def check(self, path: str, text: str) -> None:
        """The limits of the field's type, on the text as normalised."""
        shortest, longest = self.limits.min_length, self.limits.max_length
        if shortest is not None and len(text) < shortest:
            raise unprocessable_field(path, "is empty once normalised")
        if longest is not None and len(text) > longest:
            raise unprocessable_field(path, f"is longer than {longest} characters once normalised")
        if self.limits.pattern is not None and not re.search(self.limits.pattern, text):
            raise unprocessable_field(path, "does not match its pattern once normalised")


def _text_type(
    info: inspect.Type, kind: TextKind = "prose"
) -> tuple[TextKind, inspect.StrType] | None:
    """The text inside a field's type (`Title | UnsetType`, `list[Tag]`), if there is any."""
    if isinstance(info, inspect.UnionType):
        return next(filter(None, (_text_type(member) for member in info.types)), None)
    if isinstance(info, inspect.Metadata):
        return _text_type(info.type, (info.extra or {}).get("text", kind))
    if isinstance(info, inspect.ListType):
        return _text_type(info.item_type)
    if isinstance(info, inspect.StrType):
        return kind, info
    return None


@cache
def text_fields(cls: type[msgspec.Struct]) -> list[TextField]:
    """The text fields of a Struct, read once from its type annotations."""
    struct = inspect.type_info(cls)
    assert isinstance(struct, inspect.StructType)
    found = ((field.name, _text_type(field.type)) for field in struct.fields)
    return [TextField(name, *text) for name, text in found if text]


PLAIN = "Plain text, not HTML: escape it wherever it goes into HTML."
LINE: dict[str, TextKind] = {"text": "line"}
PlainText = Annotated[str, msgspec.Meta(description=PLAIN)]

Slug = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=120,
        # Runs of lower-case ASCII letters, digits or letters (with their marks) of other
        # scripts, joined by single hyphens. Python's re has no \p{M}, hence the class: every
        # character but ASCII other than a-z0-9 and U+0080-U+00BF. Written as a negated class it
        # means the same in Python and in ECMA-262 (JSON Schema's dialect, where characters
        # beyond U+FFFF are surrogate pairs), and is cheap for generators of test data. What it
        # lets through that is not a lower-case letter, mark or digit is refused after decoding.
        pattern=r"^[^\x00-\x2f\x3a-\x60\x7b-\xbf]+(?:-[^\x00-\x2f\x3a-\x60\x7b-\xbf]+)*$",
        description="lower-case words (letters, marks and digits of any script) joined by single "
        "hyphens, e.g. `thursday-interview`",
        extra={"text": "slug"},
    ),
]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300, description=PLAIN, extra=LINE)]
ShortText = Annotated[str, msgspec.Meta(max_length=300, description=PLAIN, extra=LINE)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000, description=PLAIN)]
Url = Annotated[
    str, msgspec.Meta(max_length=2000, pattern=r"^https?://[^\s]+$", description="http(s) URL")
]
TAG = f"{PLAIN} It may hold `/`, but not begin or end with one nor hold `//` (422)."
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=60, description=TAG, extra=LINE)]
AwareTime = Annotated[datetime, msgspec.Meta(tz=True)]


# Pixels of an original: JPEG's largest side; others this wide are not for the web.
Dimension = Annotated[int, msgspec.Meta(ge=1, le=65_535, description="pixels")]
Fraction = Annotated[float, msgspec.Meta(ge=0, le=1)]
ALT = (
    f"{PLAIN} What the image shows, for screen readers and feeds; required unless the image is "
    '`decorative`, and then empty ("").'
)
DECORATIVE = (
    "The image adds nothing the text does not say (a texture, an ornament): its `alt` is empty, "
    "and screen readers, feeds and social cards are given no text for it."
)


class FocalPoint(Base):
    """The point to keep in view when the image is cropped, as fractions of its size: x from the
    left edge, y from the top (0 to 1; the centre is x 0.5, y 0.5)."""

    x: Fraction
    y: Fraction


class Image(Base):
    """An image as stored and served. Images stored before sizes were asked for have no
    `width` and `height` (null); every image set since has them (`ImageIn`). Stored images are
    read as they are: the rules of `ImageIn` were not always those of the day they were set."""

    url: Url
    alt: Annotated[str, msgspec.Meta(max_length=500, description=ALT)]
    decorative: Annotated[bool, msgspec.Meta(description=DECORATIVE)] = False
    credit: ShortText = ""
    caption: Annotated[str, msgspec.Meta(max_length=1000, description=PLAIN)] = ""
    width: Dimension | None = None
    height: Dimension | None = None
    focal_point: FocalPoint | None = None


class ImageIn(Image, kw_only=True):
    """An image as a request sets it: with its original's width and height in pixels, so that
    pages keep its place while it loads and no srcset asks for more pixels than it has, and
    with alt text unless it is decorative."""

    width: Dimension
    height: Dimension

    def __post_init__(self) -> None:
        super().__post_init__()  # alt normalised first: a control character alone is no alt
        if self.decorative and self.alt:
            raise unprocessable_field("alt", 'a decorative image has an empty alt ("")')
        if not self.decorative and is_blank(self.alt):
            detail = "is required: say what the image shows, or mark it decorative: true"
            raise unprocessable_field("alt", detail)


class Link(Base):
    label: ShortText
    url: Url
