"""The OpenAPI document describes every route the app serves: each path with each of its methods,
tagged, with the problem responses it can give.

The routes are read from the app's own route handlers, so that a new controller cannot be left
out of these checks."""

import re
from html.parser import HTMLParser
from typing import Any, NamedTuple

import msgspec
import pytest
import yaml
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute
from openapi_spec_validator import validate

from app.cache import PublicCache
from app.content.schemas import Card
from app.editors_choice.schemas import Choice
from app.errors import Problem
from app.interviews.schemas import (
    Interview,
    InterviewCreate,
    InterviewUpdate,
    PullQuoteCreate,
    ScheduleRequest,
    TeaserIn,
)
from app.main import create_app
from app.openapi import EXAMPLES
from app.people.schemas import Person, PersonCreate
from app.series.schemas import Series, SeriesCreate
from app.settings import Settings
from app.tokens.schemas import TokenCreate
from app.webhooks.schemas import WebhookCreate
from tests.factories import Client, Headers

PROBLEM_JSON = "application/problem+json"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class Operation(NamedTuple):
    method: str
    path: str  # as OpenAPI writes it: /admin/v1/series/{series_id}
    handler: HTTPRouteHandler

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(app: Litestar) -> list[Operation]:
    """Every method of every path the app routes, but the OpenAPI document's own and the
    OPTIONS that Litestar answers by itself."""
    assert app.openapi_config is not None and app.openapi_config.path is not None
    documents = app.openapi_config.path
    found = [
        Operation(method, route.path_format, handler)
        for route in app.routes
        if isinstance(route, HTTPRoute) and not route.path_format.startswith(documents)
        for handler in route.route_handlers
        for method in sorted(handler.http_methods)
        if method != "OPTIONS"
    ]
    # In one order in every process (a route's handlers come in no fixed order), so that
    # parallel runs (pytest -n) collect the same tests.
    return sorted(found, key=str)


def problem_statuses(operation: Operation) -> set[int]:
    """The problem responses an operation can give, from what its handler is: any route can
    meet a request it cannot parse or a database it cannot reach (the health probes answer
    with their own bodies instead); a guarded one, no token; one that needs a role, a token
    without it; one with a path parameter, nothing there; one that takes a body, one over the
    size limit."""
    handler = operation.handler
    statuses = set() if operation.path.startswith("/health/") else {400, 503}
    if handler.resolve_guards():
        statuses.add(401)
    if handler.opt.get("role") is not None:
        statuses.add(403)
    if "{" in operation.path:
        statuses.add(404)
    if "data" in handler.parsed_fn_signature.parameters:
        statuses.add(413)
    return statuses


# Built once, when the tests are collected, to list the operations; it needs no database.
APP = create_app(Settings(database_url="postgresql://unused", base_url="https://news.example")).app
DOCUMENT: dict[str, Any] = APP.openapi_schema.to_schema()
# What the app leaves out today. Each case fails (XPASS) once the app documents it, so that its
# entry goes.
UNDOCUMENTED: dict[str, str] = {}  # operation -> the gap, while one is known
# Error statuses whose body is the route's own: readiness names each check, for orchestrators.
NOT_PROBLEMS = {"GET /health/ready": {503}}


async def test_every_route_is_in_the_served_document_with_each_method(
    app: PublicCache, client: Client
) -> None:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200, response.text
    documented = {path: set(item) & METHODS for path, item in response.json()["paths"].items()}
    served: dict[str, set[str]] = {}
    for operation in operations(app.app):
        served.setdefault(operation.path, set()).add(operation.method.lower())
    assert documented == served


def case(operation: Operation) -> Any:
    gap = UNDOCUMENTED.get(str(operation))
    marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
    return pytest.param(operation, id=str(operation), marks=marks)


@pytest.mark.parametrize("operation", [case(operation) for operation in operations(APP)])
def test_each_operation_is_tagged_with_its_problem_responses(operation: Operation) -> None:
    documented = DOCUMENT["paths"][operation.path][operation.method.lower()]
    assert documented["tags"], "no tag"
    responses = documented["responses"]
    problems = {
        int(status) for status, r in responses.items() if PROBLEM_JSON in r.get("content", {})
    }
    missing = problem_statuses(operation) - problems
    assert not missing, f"undocumented problem responses: {sorted(missing)}"
    errors = {int(status) for status in responses if int(status) >= 400}
    errors -= NOT_PROBLEMS.get(str(operation), set())
    assert errors <= problems, f"error responses that are not problems: {sorted(errors - problems)}"


def documented_operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def each_operation() -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("method", "path", "operation"),
        [
            pytest.param(*case, id=f"{case[0].upper()} {case[1]}")
            for case in documented_operations()
        ],
    )


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")


def test_operation_ids_are_camel_case_and_unique() -> None:
    ids = [operation["operationId"] for *_, operation in documented_operations()]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", i)] == []
    assert {"listInterviews", "publishInterview", "getInterviewCard", "getSeriesFeed"} <= set(ids)


@pytest.mark.parametrize("operation", [case(operation) for operation in operations(APP)])
def test_each_operation_has_a_summary_and_a_description(operation: Operation) -> None:
    """Summaries are written, not Litestar's CamelCased function name; the description is the
    handler's docstring."""
    assert operation.handler.summary, "no summary"
    assert len(operation.handler.summary) <= 60
    documented = DOCUMENT["paths"][operation.path][operation.method.lower()]
    assert documented.get("description"), "no description"


@each_operation()
def test_admin_operations_and_only_they_take_a_token(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    if path.startswith("/admin/"):
        assert {"bearerToken": []} in operation["security"]
    else:
        assert "security" not in operation


def test_the_calendar_also_takes_a_calendar_token_in_the_url() -> None:
    operation = DOCUMENT["paths"]["/admin/v1/calendar.ics"]["get"]
    assert operation["security"] == [{"bearerToken": []}, {"calendarToken": []}]
    scheme = DOCUMENT["components"]["securitySchemes"]["calendarToken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "query", "name": "token"}


def parameters(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The operation's parameters by name, references resolved."""
    found = {}
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = DOCUMENT["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        found[parameter["name"]] = parameter
    return found


# Writes of a versioned resource: app/etags.py reads If-Match on each (see tests/interviews,
# tests/series, tests/people for the behaviour).
VERSIONED_WRITE = re.compile(r"/admin/v1/(?:series|people|interviews)/\{[a-z_]+\}(?!/preview$)")


# Writes that need If-Match whatever the setting (428 without).
GUARDED = {
    ("delete", "/admin/v1/interviews/{interview_id}"),
    ("post", "/admin/v1/interviews/{interview_id}/revisions/{number}/restore"),
}


@each_operation()
def test_writes_of_versioned_resources_declare_if_match_and_412(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    if method == "get" or not VERSIONED_WRITE.match(path):
        assert "If-Match" not in parameters(operation)
        return
    if_match = parameters(operation)["If-Match"]
    assert if_match["in"] == "header"
    assert "412" in operation["responses"]
    guarded = (method, path) in GUARDED
    assert if_match["required"] is guarded
    assert ("428" in operation["responses"]) is guarded


@each_operation()
def test_admin_posts_and_only_they_take_an_idempotency_key(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    """app/idempotency.py honours the header on every admin POST; the document says so."""
    declared = "Idempotency-Key" in parameters(operation)
    assert declared is (method == "post" and path.startswith("/admin/"))


# What the public cache keeps and revalidates (app/cache.py); a preview never is.
PUBLIC_CACHE = ("/content/", "/feeds/", "/sitemaps/")
PRIVATE = "/content/v1/preview/"


@each_operation()
def test_public_reads_declare_their_validators_and_304(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    if method != "get" or not path.startswith(PUBLIC_CACHE) or path.startswith(PRIVATE):
        assert "304" not in operation["responses"]
        return
    declared = parameters(operation)
    for name in ("If-None-Match", "If-Modified-Since"):
        assert declared[name]["in"] == "header"
        assert declared[name]["required"] is False
    assert set(operation["responses"]["200"]["headers"]) >= {
        "ETag",
        "Last-Modified",
        "Cache-Control",
    }
    assert "content" not in operation["responses"]["304"]


async def test_the_public_cache_answers_the_declared_validators(client: Client) -> None:
    first = await client.get("/content/v1/series")
    assert first.status_code == 200
    for header, value in (("If-None-Match", "ETag"), ("If-Modified-Since", "Last-Modified")):
        again = await client.get("/content/v1/series", headers={header: first.headers[value]})
        assert again.status_code == 304, header


def test_feeds_document_their_media_types_and_file_names() -> None:
    for path in ("/feeds/{file}", "/feeds/series/{file}", "/feeds/people/{file}"):
        operation = DOCUMENT["paths"][path]["get"]
        assert set(operation["responses"]["200"]["content"]) == {
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json",
        }
        file = parameters(operation)["file"]["schema"]
        assert file.get("enum") or file.get("pattern")
    site = parameters(DOCUMENT["paths"]["/feeds/{file}"]["get"])["file"]["schema"]
    assert site["enum"] == ["all.rss", "all.atom", "all.json"]


def walk(node: Any, key: str) -> list[Any]:
    """Every value of `key` anywhere in the document."""
    if isinstance(node, dict):
        return [
            *([node[key]] if key in node else []),
            *(v for n in node.values() for v in walk(n, key)),
        ]
    if isinstance(node, list):
        return [v for n in node for v in walk(n, key)]
    return []


def test_no_error_is_described_in_litestars_own_shape() -> None:
    """Litestar documents a 400 of its own ({status_code, detail, extra}) unless told which; the
    app never answers with it."""
    shapes = [p for p in walk(DOCUMENT, "properties") if {"status_code", "extra"} <= set(p)]
    assert shapes == []
    for method, path, operation in documented_operations():
        for status, response in operation["responses"].items():
            if int(status) >= 400 and f"{method.upper()} {path}" not in NOT_PROBLEMS:
                assert list(response["content"]) == [PROBLEM_JSON], (method, path, status)


# What Python's re takes and ECMA-262 (JSON Schema's dialect) does not, or reads otherwise.
NOT_ECMA = re.compile(r"\(\?P[<=>]|\(\?<[=!]|\(\?[aiLmsux-]+[:)]|\(\?[>#]|\\[AZzUN]|[*+?}][+]")


def test_every_pattern_is_an_ecma_262_regular_expression() -> None:
    patterns = walk(DOCUMENT, "pattern")
    assert patterns, "no pattern at all: the walk is wrong"
    for pattern in patterns:
        re.compile(pattern)
        assert not NOT_ECMA.search(pattern), pattern


def test_the_ecma_check_refuses_python_only_syntax() -> None:
    for python_only in (r"(?P<slug>x)", r"\Z", r"(?<=a)b", r"(?i)x", r"\U0001F600", r"a++"):
        assert NOT_ECMA.search(python_only), python_only


def test_schema_names_are_class_names() -> None:
    """Litestar joins module names into a schema's name when two classes share a name."""
    assert [name for name in DOCUMENT["components"]["schemas"] if "_" in name] == []


class Assets(HTMLParser):
    """The URLs a page loads: scripts, styles, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


async def test_docs_load_nothing_from_the_internet(client: Client) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    page = Assets()
    page.feed(response.text)
    assert [url for url in page.urls if not url.startswith("/docs/")] == []
    assert len(page.urls) >= 3  # Swagger UI's script, its preset and its styles
    for url in page.urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0, url


async def test_the_document_is_served_as_json_and_yaml(client: Client, admin: Headers) -> None:
    as_json = await client.get("/docs/openapi.json")
    as_yaml = await client.get("/docs/openapi.yaml")
    assert as_json.status_code == as_yaml.status_code == 200
    assert yaml.safe_load(as_yaml.text) == as_json.json()


STRUCTS: dict[str, type[msgspec.Struct]] = {
    cls.__name__: cls
    for cls in (
        SeriesCreate,
        Series,
        PersonCreate,
        Person,
        InterviewCreate,
        InterviewUpdate,
        Interview,
        ScheduleRequest,
        PullQuoteCreate,
        TeaserIn,
        TokenCreate,
        WebhookCreate,
        Choice,
        Problem,
        Card,
    )
}


def without_nulls(value: Any) -> Any:
    """As the document has it: Litestar leaves out null values, examples' included."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_is_what_its_schema_decodes(name: str) -> None:
    example = EXAMPLES[name]
    decoded = msgspec.json.decode(msgspec.json.encode(example), type=STRUCTS[name])
    as_sent = without_nulls(msgspec.to_builtins(decoded))
    assert as_sent == {**as_sent, **without_nulls(example)}
    assert DOCUMENT["components"]["schemas"][name]["examples"] == [without_nulls(example)]


def test_no_example_is_made_up() -> None:
    """Litestar makes up random examples ("status": 4966) when asked; only ours are there, and
    the single values that fields and headers give."""
    ours = [[without_nulls(example)] for example in EXAMPLES.values()]
    made = [e for e in walk(DOCUMENT["components"], "examples") if e not in ours]
    assert all(isinstance(value, str) for examples in made for value in examples), made
