"""What the OpenAPI document says beyond what Litestar reads from the handlers' signatures.

Handlers name themselves (their function names become camelCase operationIds), say what they do
in a summary and their docstring, and pick an operation class here for the HTTP conditions they
take part in. Those conditions are documented here and not read from the handlers' signatures
because the handlers do not read them as parameters: the public response cache (app/cache.py)
answers If-None-Match and If-Modified-Since before a handler runs, and app/etags.py reads
If-Match from the request of every write that honours it.

/docs is Swagger UI from the pinned swagger-ui-bundle-v2 package, served by the app itself, so
that the documentation works with no internet.
"""

from dataclasses import dataclass
from typing import Any

from litestar import Router
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin  # not public
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPIHeader,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
    SecurityRequirement,
    SecurityScheme,
    Tag,
)
from litestar.static_files import create_static_files_router
from litestar.typing import FieldDefinition
from swagger_ui_bundle import swagger_ui_path

BEARER = "bearerToken"
CALENDAR_TOKEN = "calendarToken"
# Every Admin API route takes a bearer token; the calendar also a calendar token in the URL.
ADMIN: list[SecurityRequirement] = [{BEARER: []}]
CALENDAR: list[SecurityRequirement] = [{BEARER: []}, {CALENDAR_TOKEN: []}]

SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    BEARER: SecurityScheme(
        type="http",
        scheme="bearer",
        description="An API token (`cq_...`) from `colloquy token create` or POST "
        "/admin/v1/tokens. Its role (contributor, editor, admin) decides what it may do.",
    ),
    CALENDAR_TOKEN: SecurityScheme(
        type="apiKey",
        name="token",
        security_scheme_in="query",
        description="A calendar token's secret, for calendar apps that cannot send headers. "
        "Only a token of the calendar role may be sent in the URL.",
    ),
}


def _string(description: str) -> Schema:
    return Schema(type=OpenAPIType.STRING, description=description)


PARAMETERS: dict[str, Parameter | Reference] = {
    "IfMatch": Parameter(
        name="If-Match",
        param_in="header",
        required=False,
        schema=Schema(type=OpenAPIType.STRING, examples=['"v3"']),
        description="The ETag of the version this change was made from: 412 if it has changed "
        "since. Without it the change is made whatever the current version, unless the server "
        "runs with COLLOQUY_REQUIRE_IF_MATCH on (then 428).",
    ),
    "IfMatchRequired": Parameter(
        name="If-Match",
        param_in="header",
        required=True,
        schema=Schema(type=OpenAPIType.STRING, examples=['"v3"']),
        description="The ETag of the version this replaces (428 without it, 412 if it has "
        "changed): a delete takes the interview from everyone (to the trash) and a restore "
        "replaces all its content, so each must name what it acts on.",
    ),
    "IdempotencyKey": Parameter(
        name="Idempotency-Key",
        param_in="header",
        required=False,
        schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=255),
        description="Any unique string (a UUID): a retry with the same key and request gets "
        "the first answer again (Idempotent-Replayed: true) and nothing is done twice, for 24 "
        "hours. The same key with another request is a 422; a retry while the first still "
        "runs is a 409.",
    ),
    "IfNoneMatch": Parameter(
        name="If-None-Match",
        param_in="header",
        required=False,
        schema=_string("ETags the client holds"),
        description="304 Not Modified when the response still has one of these ETags.",
    ),
    "IfModifiedSince": Parameter(
        name="If-Modified-Since",
        param_in="header",
        required=False,
        schema=_string("an HTTP date"),
        description="304 Not Modified when the response has not changed since (ignored when "
        "If-None-Match is sent).",
    ),
}

HEADERS: dict[str, OpenAPIHeader | Reference] = {
    "ETag": OpenAPIHeader(
        schema=_string("an entity tag"),
        description="The version of what was answered; send it back as If-Match (Admin API) "
        "or If-None-Match (public routes).",
    ),
    "LastModified": OpenAPIHeader(
        schema=_string("an HTTP date"),
        description="When this response was first served as it is now.",
    ),
    "CacheControl": OpenAPIHeader(
        schema=_string("cache directives"),
        description="How long shared caches and browsers may keep the response: a minute, "
        "less when a scheduled publication is due sooner.",
    ),
}

TAGS = [
    Tag(name="series", description="Recurring interview series and their publication cadence."),
    Tag(name="people", description="Interviewers and interviewees."),
    Tag(
        name="interviews",
        description="Drafts, edits and the publication lifecycle: draft -> scheduled -> "
        "published -> withdrawn. Every write answers with the whole interview and its new ETag.",
    ),
    Tag(name="tokens", description="API tokens and their roles (admin only)."),
    Tag(name="calendar", description="The editorial calendar as iCalendar."),
    Tag(name="editors' choice", description="The curated section of the front page."),
    Tag(name="webhooks", description="Event subscriptions and their delivery log (admin only)."),
    Tag(
        name="content",
        description="The public Content API a site's frontend renders from: no token, cached.",
    ),
    Tag(name="feeds", description="RSS 2.0, Atom 1.0 and JSON Feed 1.1."),
    Tag(name="sitemaps", description="Sitemaps for search engines, with Google News."),
    Tag(name="health", description="Liveness and readiness probes."),
    Tag(name="operations", description="Prometheus metrics."),
]


def _ref(kind: str, name: str) -> Reference:
    return Reference(ref=f"#/components/{kind}/{name}")


def _header(name: str) -> Reference:
    return _ref("headers", name)


def _success(operation: Operation) -> OpenAPIResponse:
    """The operation's 2xx response."""
    assert operation.responses is not None
    status = next(status for status in operation.responses if status.startswith("2"))
    response = operation.responses[status]
    assert isinstance(response, OpenAPIResponse)
    return response


def _add_parameter(operation: Operation, name: str) -> None:
    operation.parameters = [*(operation.parameters or []), _ref("parameters", name)]


def _idempotent(operation: Operation) -> None:
    """An admin POST takes an Idempotency-Key, which can refuse a request of its own: 409 while
    the first request with the key runs, 422 when the key came with another request."""
    _add_parameter(operation, "IdempotencyKey")
    assert operation.responses is not None
    shape = operation.responses["400"]  # every route has one, a problem like these
    assert isinstance(shape, OpenAPIResponse)
    for status, description in (
        ("409", "Conflict (also: a request with this Idempotency-Key is still running)"),
        ("422", "Unprocessable Content (also: this Idempotency-Key came with another request)"),
    ):
        operation.responses.setdefault(
            status, OpenAPIResponse(description=description, content=shape.content)
        )


def _require_response(operation: Operation, status: str) -> None:
    """The handler must list this problem response in `responses=problems(...)`."""
    assert operation.responses is not None and status in operation.responses, (
        f"{operation.operation_id} must document its {status} response"
    )


@dataclass
class PublicRead(Operation):
    """A public GET, cached in front of the app: validators and 304."""

    def __post_init__(self) -> None:
        assert self.responses is not None
        _add_parameter(self, "IfNoneMatch")
        _add_parameter(self, "IfModifiedSince")
        ok = _success(self)
        ok.headers = {
            **(ok.headers or {}),
            "ETag": _header("ETag"),
            "Last-Modified": _header("LastModified"),
            "Cache-Control": _header("CacheControl"),
        }
        self.responses["304"] = OpenAPIResponse(
            description="Not Modified: the client's copy (If-None-Match, If-Modified-Since) is "
            "current",
            headers={"ETag": _header("ETag"), "Cache-Control": _header("CacheControl")},
        )


@dataclass
class Versioned(Operation):
    """An answer with the resource's version as ETag."""

    def __post_init__(self) -> None:
        ok = _success(self)
        ok.headers = {**(ok.headers or {}), "ETag": _header("ETag")}


@dataclass
class ConditionalWrite(Operation):
    """A write that honours If-Match (412 on another version) and answers with the new ETag."""

    if_match = "IfMatch"

    def __post_init__(self) -> None:
        _add_parameter(self, self.if_match)
        _require_response(self, "412")
        ok = _success(self)
        if ok.content:  # a 204 has no resource, so no version
            ok.headers = {**(ok.headers or {}), "ETag": _header("ETag")}


@dataclass
class GuardedDelete(ConditionalWrite):
    """A delete that needs If-Match: 428 without."""

    if_match = "IfMatchRequired"

    def __post_init__(self) -> None:
        super().__post_init__()
        _require_response(self, "428")


@dataclass
class Idempotent(Operation):
    """An admin POST: it takes an Idempotency-Key (app/idempotency.py)."""

    def __post_init__(self) -> None:
        _idempotent(self)


@dataclass
class Created(Versioned):
    """An admin POST that makes a versioned resource."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _idempotent(self)


@dataclass
class Action(ConditionalWrite):
    """An admin POST that acts on a version of an interview."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _idempotent(self)


@dataclass
class GuardedAction(GuardedDelete):
    """An admin POST that replaces a version of an interview: 428 without If-Match."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _idempotent(self)


def operation_id(handler: HTTPRouteHandler, *_: Any) -> str:
    """The handler's function name in camelCase: list_interviews -> listInterviews."""
    first, *rest = handler.handler_name.split("_")
    return first + "".join(word.capitalize() for word in rest)


class OfflineSwagger(SwaggerRenderPlugin):
    """Swagger UI at /docs, its scripts and styles served from the installed package."""

    ASSETS = "/assets"

    def __init__(self, docs_path: str) -> None:
        assets = f"{docs_path}{self.ASSETS}"
        super().__init__(
            js_url=f"{assets}/swagger-ui-bundle.js",
            css_url=f"{assets}/swagger-ui.css",
            standalone_preset_js_url=f"{assets}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{assets}/favicon-32x32.png'>",
            path="/swagger",
        )

    def receive_router(self, router: Router) -> None:
        super().receive_router(router)
        router.register(
            create_static_files_router(
                self.ASSETS, directories=[swagger_ui_path], include_in_schema=False
            )
        )


def openapi_config(path: str) -> OpenAPIConfig:
    """The OpenAPI document at `path`/openapi.json and .yaml, and Swagger UI at `path`."""
    return OpenAPIConfig(
        title="Colloquy",
        version="1",
        description="Admin API, Content API and feeds for recurring interview series.",
        path=path,
        render_plugins=[OfflineSwagger(path), YamlRenderPlugin()],
        components=Components(
            security_schemes=SECURITY_SCHEMES, parameters=PARAMETERS, headers=HEADERS
        ),
        tags=TAGS,
        use_handler_docstrings=True,
        operation_id_creator=operation_id,
    )


# Examples from the seed: the first Thursday Interview, with Murad Muradov (app/demo.py loads it).
SERIES_ID = "5f0c6b52-3f4e-4c1e-9a59-2b1f8f0d7a10"
LAURI_ID = "0b8f3a4e-6c1d-4f7e-8a2b-9c3d4e5f6a71"
MURAD_ID = "1c9e4b5f-7d2e-4a8f-9b3c-0d4e5f6a7b82"
INTERVIEW_ID = "2da05c60-8e3f-4b90-8c4d-1e5f6a7b8c93"
QUOTE_ID = "3eb16d71-9f40-4ca1-9d5e-2f6a7b8c9da4"
CREATED = "2026-11-26T09:12:00Z"
PUBLISHED = "2026-12-03T09:00:00Z"
CADENCE = {"rrule": "FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0", "timezone": "Europe/Brussels"}
SERIES_CREATE: dict[str, Any] = {
    "title": "Thursday Interview",
    "description": "Thinkers, opinion shapers and implementors, every Thursday.",
    "cadence": CADENCE,
    "visibility": "public",
}
SERIES: dict[str, Any] = {
    **SERIES_CREATE,
    "id": SERIES_ID,
    "slug": "thursday-interview",
    "status": "active",
    "version": 1,
    "created_at": CREATED,
    "updated_at": CREATED,
}
PERSON_CREATE: dict[str, Any] = {
    "name": "Murad Muradov",
    "headline": "A leading person in Azerbaijan's think tank community",
    "affiliation": "Action Committee for a new Armenian-Azerbaijani Dialogue",
}
PERSON: dict[str, Any] = {
    **PERSON_CREATE,
    "id": MURAD_ID,
    "slug": "murad-muradov",
    "bio": "",
    "image": None,
    "links": [],
    "version": 1,
    "created_at": CREATED,
    "updated_at": CREATED,
}
ANSWER = (
    "My experience was largely positive. My negative expectations luckily didn’t play out. The "
    "discussions were respectful, and media coverage, while varied in tone, remained largely "
    "constructive."
)
BODY = [
    {
        "type": "paragraph",
        "text": "Last September Murad Muradov was the first Azerbaijani civil society activist "
        "to visit Armenia after the 44 day war.",
    },
    {"type": "question", "speaker_id": LAURI_ID, "text": "How was your visit to Yerevan?"},
    {"type": "answer", "id": "visit", "speaker_id": MURAD_ID, "text": ANSWER},
]
PARTICIPANTS = [
    {"person_id": LAURI_ID, "role": "interviewer"},
    {"person_id": MURAD_ID, "role": "interviewee"},
]
INTERVIEW_CREATE: dict[str, Any] = {
    "series_id": SERIES_ID,
    "title": "Thursday Interview: Murad Muradov",
    "slug": "thursday-interview-murad-muradov",
    "body": BODY,
    "tags": ["Armenia", "Azerbaijan", "peace process"],
    "participants": PARTICIPANTS,
}
PULL_QUOTE_CREATE: dict[str, Any] = {
    "text": "My negative expectations luckily didn’t play out.",
    "speaker_id": MURAD_ID,
    "block_id": "visit",
    "featured": True,
}
TEASER = (
    "Today, commonspace.eu starts a new regular weekly series. THURSDAY INTERVIEW, conducted by "
    "Lauri Nikulainen, will host persons who are thinkers, opinion shapers, and implementors in "
    "their countries and spheres."
)
INTERVIEW: dict[str, Any] = {
    **INTERVIEW_CREATE,
    "id": INTERVIEW_ID,
    "standfirst": "",
    "body": [{"id": None, **block} if "id" not in block else block for block in BODY],
    "image": None,
    "status": "published",
    "publish_at": None,
    "published_at": PUBLISHED,
    "withdrawn_at": None,
    "participants": [
        {
            "person_id": LAURI_ID,
            "role": "interviewer",
            "slug": "lauri-nikulainen",
            "name": "Lauri Nikulainen",
            "headline": "Host of the Thursday Interview",
        },
        {
            "person_id": MURAD_ID,
            "role": "interviewee",
            "slug": "murad-muradov",
            "name": "Murad Muradov",
            "headline": PERSON_CREATE["headline"],
        },
    ],
    "pull_quotes": [{**PULL_QUOTE_CREATE, "id": QUOTE_ID, "position": 0}],
    "teasers": {"card": TEASER},
    "version": 4,
    "created_at": CREATED,
    "updated_at": PUBLISHED,
}
PROBLEM: dict[str, Any] = {
    "type": "about:blank",
    "title": "Conflict",
    "status": 409,
    "detail": "cannot withdraw an interview that is draft; allowed: schedule, publish",
    "errors": [
        {
            "field": "status",
            "detail": "cannot withdraw an interview that is draft; allowed: schedule, publish",
        }
    ],
    "allowed": ["schedule", "publish"],
}
SITE = "https://news.example"
LAURI_REF = {
    "slug": "lauri-nikulainen",
    "name": "Lauri Nikulainen",
    "headline": "Host of the Thursday Interview",
    "url": f"{SITE}/people/lauri-nikulainen",
}
MURAD_REF = {
    "slug": "murad-muradov",
    "name": "Murad Muradov",
    "headline": PERSON_CREATE["headline"],
    "url": f"{SITE}/people/murad-muradov",
}
CARD: dict[str, Any] = {
    "slug": "thursday-interview-murad-muradov",
    "kicker": "Thursday Interview",
    "headline": "Murad Muradov",
    "title": "Thursday Interview: Murad Muradov",
    "teaser": TEASER,
    "standfirst": None,
    "pull_quote": {"text": PULL_QUOTE_CREATE["text"], "speaker": "Murad Muradov"},
    "image": None,
    "interviewers": [LAURI_REF],
    "interviewees": [MURAD_REF],
    "byline": "Conducted by Lauri Nikulainen",
    "published_at": PUBLISHED,
    "reading_minutes": 1,
    "url": f"{SITE}/interviews/thursday-interview-murad-muradov",
    "call_to_action": "Read the interview in full",
}
# By schema name: the Struct classes of that name (tests/test_openapi.py checks that each
# example decodes as its class).
EXAMPLES: dict[str, dict[str, Any]] = {
    "SeriesCreate": SERIES_CREATE,
    "Series": SERIES,
    "PersonCreate": PERSON_CREATE,
    "Person": PERSON,
    "InterviewCreate": INTERVIEW_CREATE,
    "InterviewUpdate": {"standfirst": "The first Thursday Interview, with Murad Muradov."},
    "Interview": INTERVIEW,
    "ScheduleRequest": {"slot": "next"},
    "PullQuoteCreate": PULL_QUOTE_CREATE,
    "TeaserIn": {"text": TEASER},
    "TokenCreate": {"name": "Frontend preview", "role": "editor"},
    "WebhookCreate": {
        "url": "https://site.example/hooks/colloquy",
        "event_types": ["interview.published", "interview.withdrawn"],
    },
    "Choice": {"interview_id": INTERVIEW_ID, "starts_at": PUBLISHED, "ends_at": None},
    "Problem": PROBLEM,
    "Card": CARD,
}


class StructExamples(StructSchemaPlugin):
    """Struct schemas as Litestar makes them, with the example EXAMPLES has for them."""

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if example := EXAMPLES.get(field_definition.type_.__name__):
            schema.examples = [example]
        return schema
