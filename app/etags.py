"""Versions as ETags, and If-Match, so that two editors never silently overwrite each other."""

from typing import Any, Protocol, TypeVar

from litestar import Request, Response

from app.errors import ProblemError, not_found


def etag(version: int) -> str:
    return f'"v{version}"'


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    """The version named by If-Match, or None when the client did not send one."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    tag = header.split(",")[0].strip()
    if tag.startswith('"v') and tag.endswith('"') and tag[2:-1].isdigit():
        return int(tag[2:-1])
    raise ProblemError(412, "If-Match must be an ETag this API gave out", field="If-Match")


def require_if_match(request: Request[Any, Any, Any], current: int) -> None:
    """428 unless the request is conditional; the problem names the ETag to send."""
    if "if-match" not in request.headers:
        raise ProblemError(
            428,
            f"send If-Match with the current ETag ({etag(current)}) to confirm what you change",
            field="If-Match",
        )


def check_version(request: Request[Any, Any, Any], current: int) -> None:
    ensure_version(expected_version(request), current)


def ensure_version(expected: int | None, current: int) -> None:
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
