"""/metrics: Prometheus text, for allowed addresses only, counting what the service does."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.auth import Role
from app.cache import PublicCache
from tests.conftest import MovableClock, bearer
from tests.content import World


def client_from(app: PublicCache, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(host, 40_000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def local(app: PublicCache) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from(app, "127.0.0.1") as client:
        yield client


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_are_only_for_allowed_addresses(app: PublicCache) -> None:
    async with client_from(app, "192.0.2.10") as outsider:
        response = await outsider.get("/metrics")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    async with client_from(app, "::1") as local_v6:
        assert (await local_v6.get("/metrics")).status_code == 200


async def test_requests_are_counted_by_route_template_method_and_status(
    app: PublicCache, local: httpx.AsyncClient, db: asyncpg.Connection, clock: MovableClock
) -> None:
    editor = await bearer(db, Role.editor, clock)
    interview = await World(local, editor).published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov"
    )
    card = {"route": "/content/v1/interviews/{slug}/card", "method": "GET", "status": "200"}
    before = await scrape(local)
    for _ in range(3):
        await local.get(f"/content/v1/interviews/{interview['slug']}/card")
    await local.get("/content/v1/interviews/nobody/card")
    after = await scrape(local)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("colloquy_http_requests_total", **card) == 3
    assert delta("colloquy_http_requests_total", **{**card, "status": "404"}) == 1
    route = {"route": card["route"]}
    assert delta("colloquy_http_request_duration_seconds_count", **route) == 4
    assert delta("colloquy_cache_hits_total") == 2
    assert delta("colloquy_cache_misses_total") == 2
    assert value(after, "colloquy_cache_entries") >= 1
    assert value(after, "colloquy_cache_bytes") > 0
    assert value(after, "colloquy_db_pool_size") >= 1


async def test_the_database_side_is_read_at_each_scrape(
    local: httpx.AsyncClient, db: asyncpg.Connection, clock: MovableClock
) -> None:
    editor = await bearer(db, Role.editor, clock)
    interview = await World(local, editor).draft(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov"
    )
    soon = {"publish_at": "2026-11-26T09:30:00Z", "confirm": True}  # off the cadence
    url = f"/admin/v1/interviews/{interview['id']}/schedule"
    assert (await local.post(url, json=soon, headers=editor)).status_code == 200
    samples = await scrape(local)
    assert value(samples, "colloquy_scheduled_next_hour") == 1
    assert value(samples, "colloquy_outbox_lag_seconds") >= 0
    assert value(samples, "colloquy_webhook_backlog") == 0
    build = [key for key in samples if key[0] == "colloquy_build_info"]
    assert len(build) == 1 and dict(build[0][1])["version"]


async def test_cdn_purges_waiting_and_given_up_on_are_read_at_each_scrape(
    local: httpx.AsyncClient, db: asyncpg.Connection, clock: MovableClock
) -> None:
    later = clock.now() + timedelta(minutes=5)
    await db.executemany(
        "INSERT INTO purges (keys, next_attempt_at, status) VALUES ($1, $2, $3)",
        [
            (["frontpage"], datetime.min.replace(tzinfo=UTC), "pending"),  # due
            (["feed:all"], later, "pending"),  # retried in five minutes: not yet due
            (["series:x"], later, "failed"),
        ],
    )
    samples = await scrape(local)
    assert value(samples, "colloquy_purge_backlog") == 1
    assert value(samples, "colloquy_purges_failed") == 1
