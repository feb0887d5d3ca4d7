"""Browsers on the listed origins may read the public routes, and the admin routes from origins
listed by name; the response cache never hands one origin's headers to another.

Before, there was no CORS at all: no Access-Control-Allow-Origin, and a preflight OPTIONS was
answered 204 without it, so islands, client components and the view beacon failed.
"""

import httpx
import msgspec
import pytest

from app.cache import PublicCache
from app.settings import ConfigurationError, Settings
from tests.conftest import Notices
from tests.factories import Client, Headers, Json
from tests.helpers import publish

SITE = "https://site.example"
EDITORS = "https://editors.example"
STRANGER = "https://elsewhere.example"
CARD = "/content/v1/interviews/thursday-interview-murad-muradov/card"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, cors_origins=(SITE, EDITORS))


@pytest.fixture
async def published(client: Client, editor: Headers, interview: Json, notices: Notices) -> None:
    await publish(client, editor, interview)
    await notices.settle()  # else its notice, arriving late, may empty the cache mid-test


def allowed_origin(response: httpx.Response) -> str | None:
    origin: str | None = response.headers.get("access-control-allow-origin")
    return origin


async def preflight(
    client: Client, path: str, origin: str, method: str, *headers: str
) -> httpx.Response:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request_headers["Access-Control-Request-Headers"] = ", ".join(headers)
    return await client.options(path, headers=request_headers)


async def test_a_listed_origin_reads_a_public_route(client: Client, published: None) -> None:
    response = await client.get(CARD, headers={"Origin": SITE})
    assert response.status_code == 200
    assert allowed_origin(response) == SITE
    assert "Origin" in response.headers["vary"]
    assert "ETag" in response.headers["access-control-expose-headers"]


async def test_the_cache_never_serves_one_origins_headers_to_another(
    app: PublicCache, client: Client, published: None
) -> None:
    first = await client.get(CARD, headers={"Origin": SITE})
    second = await client.get(CARD, headers={"Origin": EDITORS})
    stranger = await client.get(CARD, headers={"Origin": STRANGER})
    none = await client.get(CARD)
    assert app.hits >= 3, "the later three came from the cache"
    assert (allowed_origin(first), allowed_origin(second)) == (SITE, EDITORS)
    assert allowed_origin(stranger) is None and allowed_origin(none) is None
    assert first.content == second.content == stranger.content == none.content
    for response in (first, second, stranger, none):
        assert response.headers["vary"] == "Accept-Encoding, Origin"


async def test_a_conditional_get_carries_the_headers_too(client: Client, published: None) -> None:
    tag = (await client.get(CARD)).headers["etag"]
    response = await client.get(CARD, headers={"Origin": SITE, "If-None-Match": tag})
    assert response.status_code == 304
    assert allowed_origin(response) == SITE


async def test_a_public_preflight(client: Client) -> None:
    response = await preflight(client, "/content/v1/interviews/x/views", SITE, "POST")
    assert response.status_code == 204
    assert allowed_origin(response) == SITE
    assert "POST" in response.headers["access-control-allow-methods"]
    assert int(response.headers["access-control-max-age"]) > 0
    refused = await preflight(client, "/content/v1/frontpage", STRANGER, "GET")
    assert allowed_origin(refused) is None


async def test_the_admin_preflight_names_what_editors_tools_send(client: Client) -> None:
    response = await preflight(
        client, "/admin/v1/interviews/x", EDITORS, "PATCH", "authorization", "if-match"
    )
    assert response.status_code == 204
    assert allowed_origin(response) == EDITORS
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "if-match", "content-type", "idempotency-key"):
        assert header in allowed
    assert "PATCH" in response.headers["access-control-allow-methods"]


async def test_an_admin_write_exposes_etag_and_location(client: Client, editor: Headers) -> None:
    response = await client.post(
        "/admin/v1/people", json={"name": "Murad Muradov"}, headers={**editor, "Origin": EDITORS}
    )
    assert response.status_code == 201, response.text
    assert allowed_origin(response) == EDITORS
    exposed = response.headers["access-control-expose-headers"]
    assert all(name in exposed for name in ("ETag", "Location", "Retry-After"))


async def test_health_and_metrics_have_no_cors(client: Client) -> None:
    response = await client.get("/health/live", headers={"Origin": SITE})
    assert allowed_origin(response) is None


class TestAnyOrigin:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return msgspec.structs.replace(settings, cors_origins=("*",))

    async def test_public_routes_answer_any_origin(self, client: Client, published: None) -> None:
        response = await client.get(CARD, headers={"Origin": STRANGER})
        assert allowed_origin(response) == "*"
        assert "Origin" not in response.headers["vary"], "the same answer for every origin"

    async def test_admin_routes_never_answer_any_origin(
        self, client: Client, editor: Headers
    ) -> None:
        response = await client.get("/admin/v1/series", headers={**editor, "Origin": STRANGER})
        assert response.status_code == 200
        assert allowed_origin(response) is None
        refused = await preflight(client, "/admin/v1/series", STRANGER, "POST")
        assert allowed_origin(refused) is None


class TestNoOrigins:
    """The default: no CORS headers anywhere, and nothing added to Vary."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return msgspec.structs.replace(settings, cors_origins=())

    async def test_no_headers(self, client: Client, published: None) -> None:
        response = await client.get(CARD, headers={"Origin": SITE})
        assert allowed_origin(response) is None
        assert response.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    "value",
    ["site.example", "https://site.example/", "https://site.example/path", "ftp://x.example"],
)
def test_a_setting_that_is_not_an_origin_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="COLLOQUY_CORS_ORIGINS"):
        Settings.from_env({"COLLOQUY_CORS_ORIGINS": f"{SITE},{value}"})


def test_the_setting_is_a_comma_list() -> None:
    settings = Settings.from_env({"COLLOQUY_CORS_ORIGINS": f"{SITE}, {EDITORS}"})
    assert settings.cors_origins == (SITE, EDITORS)
