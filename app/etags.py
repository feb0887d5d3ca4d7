"""Versions as ETags, and If-Match, so that two editors never silently overwrite each other.

If-Match is honoured when sent; with COLLOQUY_REQUIRE_IF_MATCH it must be sent on every change
to a resource that has a version, so that no client can overwrite what it has not seen.
"""

import enum
from typing import Any, Protocol, TypeVar

from litestar import Request, Response

from app.errors import ProblemError, not_found


def etag(version: int) -> str:
    return f'"v{version}"'


class Unsent(enum.Enum):
    """If-Match was not sent where it is required."""

    UNSENT = "unsent"


# What a write expects to change: a version, any version (None), or If-Match missing.
Expected = int | Unsent | None


def expected_version(request: Request[Any, Any, Any]) -> Expected:
    """The version named by If-Match; None for `*`, or when it was not sent and need not be."""
    header = request.headers.get("if-match")
    if header is None:
        return Unsent.UNSENT if request.app.state.settings.require_if_match else None
    if header.strip() == "*":
        return None
    tag = header.split(",")[0].strip()
    if tag.startswith('"v') and tag.endswith('"') and tag[2:-1].isdigit():
        return int(tag[2:-1])
    raise ProblemError(412, "If-Match must be an ETag this API gave out", field="If-Match")


def require_if_match(request: Request[Any, Any, Any], current: int) -> None:
    """428 unless the request is conditional, whatever the setting."""
    if "if-match" not in request.headers:
        raise _precondition_required(current)


def _precondition_required(current: int) -> ProblemError:
    return ProblemError(
        428,
        f"send If-Match with the current ETag ({etag(current)}) to confirm what you change",
        field="If-Match",
    )


def check_version(request: Request[Any, Any, Any], current: int) -> None:
    ensure_version(expected_version(request), current)


def ensure_version(expected: Expected, current: int) -> None:
    if expected is Unsent.UNSENT:
        raise _precondition_required(current)
    if expected is not None and expected != current:
        raise ProblemError(
            412,
            f"the resource has changed (now {etag(current)}); fetch it again and retry",
            field="If-Match",
        )


class Versioned(Protocol):
    version: int


VersionedT = TypeVar("VersionedT", bound=Versioned)


def tagged(resource: VersionedT, status_code: int = 200) -> Response[VersionedT]:
    """The resource with its version as ETag."""
    return Response(resource, status_code=status_code, headers={"ETag": etag(resource.version)})


def tagged_found(
    resource: VersionedT | None, what: str, status_code: int = 200
) -> Response[VersionedT]:
    """The resource with its version as ETag; 404 naming `what` if it was not found."""
    if resource is None:
        raise not_found(what)
    return tagged(resource, status_code)
