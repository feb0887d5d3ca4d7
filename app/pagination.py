"""Opaque keyset cursors: the sort key of the last item seen, so pages never shift."""

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.params import QueryParameter

from app.errors import ProblemError

T = TypeVar("T")

# How many items an admin list gives at most (`limit`).
Limit = Annotated[int, QueryParameter(ge=1, le=100)]


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple[Any, ...]:
    """The key encoded in `cursor`, each part converted to its type; 400 if it is not ours."""
    try:
        raw = msgspec.json.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(types):
            raise ValueError
        key: tuple[Any, ...] = tuple(
            msgspec.convert(value, kind) for value, kind in zip(raw, types, strict=True)
        )
        for part in key:
            if isinstance(part, datetime):
                part.astimezone(UTC)  # OverflowError for times PostgreSQL cannot hold either
        return key
    except (
        ValueError,
        OverflowError,
        binascii.Error,
        msgspec.DecodeError,
        msgspec.ValidationError,
    ):
        raise ProblemError(400, "the cursor is not one this API gave out", field="cursor") from None


def split_page(
    rows: list[T], limit: int, key: Callable[[T], tuple[Any, ...]]
) -> tuple[list[T], str | None]:
    """Rows fetched with `limit + 1` -> the page, and the cursor of the next one if any."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(*key(page[-1]))
