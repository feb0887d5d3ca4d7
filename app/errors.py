"""Problem details (RFC 9457) for every error, and the one map from failures to responses."""

import logging
import re
from http import HTTPStatus
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("colloquy")


class FieldError(msgspec.Struct, frozen=True):
    """One wrong field: `field` is its path in the body (`body[2].text`) or a parameter name."""

    field: str
    detail: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem details body."""

    title: str
    status: int
    detail: str = ""
    type: str = "about:blank"
    errors: list[FieldError] = []
    allowed: list[str] = []


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        field: str | None = None,
        allowed: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = [FieldError(field, detail)] if field else []
        self.allowed = allowed or []
        self.headers = headers or {}


class JSONRequest(Request[Any, Any, Any]):
    """A request whose malformed JSON body is a 400 however it is malformed.

    Litestar turns msgspec's DecodeError into a 400 but lets two failures through: bytes that
    are not UTF-8 inside a string (UnicodeDecodeError) and nesting deeper than the interpreter's
    recursion limit (RecursionError)."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError:
            raise ProblemError(400, "the body is not valid UTF-8", field="body") from None
        except RecursionError:
            raise ProblemError(400, "the body is nested too deeply", field="body") from None


def not_found(what: str) -> ProblemError:
    return ProblemError(404, f"{what} not found")


# Database constraints that bad input can trip, and what to tell the client about each.
CONSTRAINTS: dict[str, tuple[int, str, str]] = {
    "series_slug_key": (409, "slug", "a series with this slug already exists"),
    "people_slug_key": (409, "slug", "a person with this slug already exists"),
    "interviews_slug_key": (409, "slug", "an interview with this slug already exists"),
    "old_slugs_pkey": (
        409,
        "slug",
        "this slug is kept for the one that had it, so old links lead there",
    ),
    "interviews_series_id_fkey": (422, "series_id", "no such series"),
    "interview_participants_person_id_fkey": (422, "participants", "no such person"),
    "pull_quotes_speaker_fkey": (
        409,
        "speaker_id",
        "the speaker must be a participant; a quoted participant cannot be removed",
    ),
    "pull_quotes_one_featured": (409, "featured", "another pull quote is already featured"),
    "editors_choice_interview_id_fkey": (422, "interview_id", "no such interview"),
}

# A Struct's __post_init__ can raise only ValueError, to which msgspec adds the Struct's path,
# not the field's: its message names the field, and says the value was well-formed as sent but
# cannot be used once normalised (422, where a value the schema refuses is a 400).
UNPROCESSABLE_FIELD = "Unprocessable field"
_NAMED_FIELD = re.compile(
    r"(?:Object (?:missing required|contains unknown) field|Unprocessable field) `(?P<name>[^`]+)`"
)


def unprocessable_field(field: str, detail: str) -> ValueError:
    return ValueError(f"{UNPROCESSABLE_FIELD} `{field}`: {detail}")


def _field_error(message: str, key: str | None) -> FieldError:
    """Litestar gives the path of the object at fault (`data` for the body itself); for a
    missing or unknown field the message names the field within it. A request without the body
    its route takes comes as the bare name of the missing argument, `'data'`."""
    if key == "data" and message == "'data'":
        return FieldError("body", "this request needs a JSON body")
    path = "" if key in (None, "data") else key
    if named := _NAMED_FIELD.match(message):
        path = f"{path}.{named['name']}" if path else named["name"]
    return FieldError(path or "body", message)


def _problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _title(status: int) -> str:
    return HTTPStatus(status).phrase


def problem_messages(error: ProblemError) -> list[dict[str, Any]]:
    """A problem as the ASGI messages that answer it, for the layers in front of Litestar."""
    problem = Problem(
        _title(error.status), error.status, error.detail, errors=error.errors, allowed=error.allowed
    )
    body = msgspec.json.encode(problem)
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in error.headers.items()),
    ]
    return [
        {"type": "http.response.start", "status": error.status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


def handle_problem(_: Request[Any, Any, Any], error: ProblemError) -> Response[Any]:
    problem = Problem(
        _title(error.status), error.status, error.detail, errors=error.errors, allowed=error.allowed
    )
    return _problem_response(problem, error.headers)


def handle_validation(_: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [
        _field_error(str(item.get("message", "")), item.get("key"))
        for item in extra
        if isinstance(item, dict)
    ]
    detail = errors[0].detail if errors else str(error.detail)
    unprocessable = bool(errors) and all(e.detail.startswith(UNPROCESSABLE_FIELD) for e in errors)
    status = 422 if unprocessable else 400
    return _problem_response(Problem(_title(status), status, detail, errors=errors))


def handle_http(_: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    headers = dict(error.headers or {})
    return _problem_response(
        Problem(_title(error.status_code), error.status_code, str(error.detail)), headers
    )


def handle_integrity(
    _: Request[Any, Any, Any], error: asyncpg.IntegrityConstraintViolationError
) -> Response[Any]:
    constraint = getattr(error, "constraint_name", None) or ""
    status, field, detail = CONSTRAINTS.get(constraint, (409, "", "conflicts with stored data"))
    errors = [FieldError(field, detail)] if field else []
    return _problem_response(Problem(_title(status), status, detail, errors=errors))


def handle_data_error(_: Request[Any, Any, Any], error: asyncpg.DataError) -> Response[Any]:
    """A value PostgreSQL cannot take, such as a NUL character in a path or query."""
    detail = "a value in the request cannot be stored or searched for (e.g. a NUL character)"
    return _problem_response(Problem(_title(400), 400, detail))


# Failures that mean "the database cannot be reached just now", not "this request is wrong":
# refused or dropped connections, a server shutting down, starting up or out of connections.
DATABASE_UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
)
RETRY_AFTER_SECONDS = 5


def unavailable() -> ProblemError:
    detail = "the database is unavailable just now; try again shortly"
    return ProblemError(503, detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def handle_unavailable(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    # Not logged per request: /health/ready and the worker report the outage.
    return handle_problem(request, unavailable())


def handle_rolled_back(
    request: Request[Any, Any, Any], error: asyncpg.TransactionRollbackError
) -> Response[Any]:
    """A transaction the database ended for a reason of its own, not the request's: a deadlock,
    a serialization failure, or on a read replica a query cancelled because the primary removed
    rows it was reading (a recovery conflict). The same request succeeds when tried again."""
    log.warning("%s %s: %s", request.method, request.url.path, error.sqlstate, exc_info=error)
    detail = "the database broke off this request for a conflict of its own; try again"
    return handle_problem(request, ProblemError(503, detail, headers={"Retry-After": "1"}))


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _problem_response(Problem(_title(500), 500, "unexpected error; it has been logged"))


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    ProblemError: handle_problem,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    asyncpg.IntegrityConstraintViolationError: handle_integrity,
    asyncpg.DataError: handle_data_error,
    asyncpg.TransactionRollbackError: handle_rolled_back,
    **dict.fromkeys(DATABASE_UNAVAILABLE, handle_unavailable),
    Exception: handle_unexpected,
}


# Any route can meet a request it cannot parse and a database it cannot reach.
EVERY_ROUTE = (400, 503)
# An edit of a stored resource can also meet: no token or not enough of one, no such resource,
# a conflict with what is stored, a version the client did not see (If-Match), a body too large
# or a value that cannot be used.
EDIT = (401, 403, 404, 409, 412, 413, 422)


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses a route can give."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_title(status),
            media_type=PROBLEM_JSON,
            generate_examples=False,  # Problem has a real one (app/openapi.py)
        )
        for status in sorted({*EVERY_ROUTE, *statuses})
    }
