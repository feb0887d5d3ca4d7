"""The OpenAPI document describes every route the app serves: each path with each of its methods,
tagged, with the problem responses it can give.

The routes are read from the app's own route handlers, so that a new controller cannot be left
out of these checks."""

from typing import Any, NamedTuple

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from app.cache import PublicCache
from app.main import create_app
from app.settings import Settings
from tests.factories import Client

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
    return [
        Operation(method, route.path_format, handler)
        for route in app.routes
        if isinstance(route, HTTPRoute) and not route.path_format.startswith(documents)
        for handler in route.route_handlers
        for method in sorted(handler.http_methods)
        if method != "OPTIONS"
    ]


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
