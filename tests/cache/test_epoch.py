"""Who can drop what the cache holds: a write that succeeded, and the database's change notices.

A request that changed nothing must not cost every reader a new rendering: before, any non-GET
under /admin/ moved the epoch whatever its answer, so an anonymous `POST /admin/v1/x` (a 404)
emptied the cache for everybody.
"""

import pytest

from app.cache import PublicCache
from tests.cache import get
from tests.factories import Client

FEED = "/feeds/all.atom"
SERIES = "/admin/v1/series"
NO_SUCH_SERIES = f"{SERIES}/00000000-0000-0000-0000-000000000000"
NEW_SERIES = {
    "title": "Tuesday Talks",
    "cadence": {"rrule": "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10", "timezone": "Europe/Brussels"},
}


async def warm(app: PublicCache, client: Client) -> str:
    """Render the feed once and see the next request served from the cache; its ETag."""
    first = await get(client, FEED)
    assert first.status_code == 200, first.text
    hits = app.hits
    assert (await get(client, FEED)).headers["etag"] == first.headers["etag"]
    assert app.hits == hits + 1
    return str(first.headers["etag"])


@pytest.mark.parametrize(
    ("method", "path", "role", "body", "status"),
    [
        pytest.param("POST", "/admin/v1/x", None, None, 404, id="no-such-route"),
        pytest.param("DELETE", "/admin/v1/x", None, None, 404, id="delete-no-such-route"),
        pytest.param("POST", SERIES, None, NEW_SERIES, 401, id="no-token"),
        pytest.param("POST", SERIES, "wrong", NEW_SERIES, 401, id="wrong-token"),
        pytest.param("POST", SERIES, "contributor", NEW_SERIES, 403, id="role-too-low"),
        pytest.param("POST", SERIES, "editor", {"title": ""}, 400, id="invalid-body"),
        pytest.param("PATCH", NO_SUCH_SERIES, "editor", {}, 404, id="no-such-series"),
    ],
)
async def test_a_write_that_failed_keeps_the_cache(
    app: PublicCache,
    client: Client,
    editor: dict[str, str],
    contributor: dict[str, str],
    method: str,
    path: str,
    role: str | None,
    body: dict[str, object] | None,
    status: int,
) -> None:
    etag = await warm(app, client)
    headers = {"editor": editor, "contributor": contributor}.get(role or "", {})
    if role == "wrong":
        headers = {"Authorization": "Bearer cq_not-a-token"}
    epoch, misses = app.freshness.epoch, app.misses
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == status, response.text
    assert app.freshness.epoch == epoch
    again = await get(client, FEED)
    assert again.headers["etag"] == etag
    assert app.misses == misses, "served from the cache, not rendered again"


async def test_a_write_that_succeeded_drops_the_cache_at_once(
    app: PublicCache, client: Client, editor: dict[str, str]
) -> None:
    await warm(app, client)
    epoch, misses = app.freshness.epoch, app.misses
    response = await client.post(SERIES, json=NEW_SERIES, headers=editor)
    assert response.status_code == 201, response.text
    assert app.freshness.epoch > epoch, "moved before the answer reached the client"
    assert (await get(client, FEED)).status_code == 200
    assert app.misses == misses + 1
