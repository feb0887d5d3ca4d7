"""Public routes answer 400 to a query parameter they do not take, and keep nothing for it.

Litestar ignores such parameters, so before, `/feeds/all.rss?x=1`, `?x=2`, ... were each a new
cache key: a new rendering and a new entry for the same feed. The parameters a route takes are
read from its handler, so the rule cannot drift from the routes.
"""

from typing import Any

import httpx
import pytest

from app.cache import PublicCache
from tests.cache import get, published_interviews
from tests.factories import Client, Headers, Json
from tests.helpers import publish

PUBLIC_GETS = [
    "/feeds/all.rss",
    "/feeds/series/thursday-interview.atom",
    "/feeds/people/murad-muradov.json",
    "/content/v1/frontpage",
    "/content/v1/series",
    "/content/v1/series/thursday-interview",
    "/content/v1/people/murad-muradov",
    "/content/v1/interviews",
    "/content/v1/interviews/thursday-interview-murad-muradov",
    "/content/v1/interviews/thursday-interview-murad-muradov/card",
    "/content/v1/interviews/thursday-interview-murad-muradov/related",
]


def unknown_parameter(response: httpx.Response, name: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "cache-control" not in response.headers
    body = response.json()
    assert [error["field"] for error in body["errors"]] == [name]
    assert repr(name) in body["detail"]


@pytest.fixture
async def published(client: Client, editor: Headers, interview: Json) -> None:
    await publish(client, editor, interview)


@pytest.mark.parametrize("path", PUBLIC_GETS)
async def test_an_unknown_parameter_is_a_400_naming_it(
    app: PublicCache, client: Client, published: None, path: str
) -> None:
    assert (await get(client, path)).status_code == 200
    held = len(app.entries)
    for query in ("x=1", "x=", "x", "x=1&x=2"):
        unknown_parameter(await get(client, f"{path}?{query}"), "x")
        head = await get(client, f"{path}?{query}", method="HEAD")
        assert (head.status_code, head.content) == (400, b"")
    assert len(app.entries) == held, "nothing kept for them"


async def test_the_parameter_is_refused_before_the_route_looks_anything_up(
    client: Client,
) -> None:
    for path in ("/feeds/people/nobody.rss", "/content/v1/interviews/nobody/card"):
        assert (await get(client, path)).status_code == 404
        unknown_parameter(await get(client, f"{path}?utm_source=mail"), "utm_source")


async def test_many_made_up_parameters_keep_nothing(
    app: PublicCache, client: Client, editor: dict[str, str]
) -> None:
    """The reproduction: 40 anonymous requests for a large feed, each with another `?x=`."""
    await published_interviews(client, editor, 6, 5000)
    for n in range(40):
        unknown_parameter(await get(client, f"/feeds/all.rss?x={n}"), "x")
    assert app.entries == {}


async def test_every_documented_parameter_is_taken(client: Client) -> None:
    """Each query parameter the OpenAPI document gives for a public route is accepted there:
    the rule and the documentation are read from the same handlers."""
    schema: dict[str, Any] = (await client.get("/docs/openapi.json")).json()
    checked = 0
    for template, operations in schema["paths"].items():
        if not template.startswith(("/content/", "/feeds/")) or "get" not in operations:
            continue
        path = template.replace("{slug}", "nobody").replace("{file}", "nobody.rss")
        for given in operations["get"].get("parameters", []):
            parameter = resolved(schema, given)
            if parameter["in"] != "query":
                continue
            response = await client.get(path, params={parameter["name"]: "1"})
            if response.status_code == 400:
                assert "unknown query parameter" not in response.json()["detail"], template
            checked += 1
    assert checked >= 10


def resolved(schema: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """`part`, or what its `$ref` (`#/components/...`) points to."""
    if "$ref" not in part:
        return part
    for key in part["$ref"].removeprefix("#/").split("/"):
        schema = schema[key]
    return schema
