"""/health/ready: 200 only when the database answers at the head revision, the change notices
are heard, the worker keeps its rounds and the server is not draining; each check named."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest

from app.cache import PublicCache
from app.db import create_pool
from app.health import head_revision
from app.main import create_app
from app.settings import Settings
from tests.conftest import MovableClock
from tests.operations.lifespan import running

ALL_OK = {
    "status": "ok",
    "database": "ok",
    "schema": "ok",
    "change_notices": "ok",
    "worker": "not run in this process",
    "shutdown": "ok",
}


def client_of(service: PublicCache) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=service)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def readiness(client: httpx.AsyncClient, status: int) -> dict[str, str]:
    response = await client.get("/health/ready")
    assert response.status_code == status, response.text
    body: dict[str, str] = response.json()
    return body


async def test_ready_names_each_check(client: httpx.AsyncClient) -> None:
    assert await readiness(client, 200) == ALL_OK


async def test_a_worker_late_for_its_round_is_not_ready(
    app: PublicCache, client: httpx.AsyncClient, clock: MovableClock
) -> None:
    app.state.heartbeat.beat(clock.now(), 0.5)
    assert (await readiness(client, 200))["worker"] == "ok"
    clock.advance(seconds=10.5)
    assert (await readiness(client, 200))["worker"] == "ok"
    clock.advance(seconds=1)
    body = await readiness(client, 503)
    assert body == {**ALL_OK, "status": "unavailable", "worker": "late for its round by 11 s"}


async def test_draining_is_not_ready_but_still_serves(
    app: PublicCache, client: httpx.AsyncClient
) -> None:
    app.state.drain.start()
    body = await readiness(client, 503)
    assert body == {**ALL_OK, "status": "unavailable", "shutdown": "draining"}
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/content/v1/series")).status_code == 200


async def test_without_change_notices_it_is_not_ready(
    settings: Settings, pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    """The app as the `app` fixture makes it, but its listener never started."""
    async with client_of(create_app(settings, pool=pool, clock=clock)) as client:
        body = await readiness(client, 503)
    assert body == {**ALL_OK, "status": "unavailable", "change_notices": "not listening"}


@pytest.fixture
async def fresh_client(
    fresh_database: str, settings: Settings, clock: MovableClock
) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    """The app over an empty database (its change notices taken as heard)."""
    pool = await create_pool(fresh_database, 2)
    service = create_app(
        msgspec.structs.replace(settings, database_url=fresh_database), pool=pool, clock=clock
    )
    service.state.freshness.listening = True
    try:
        async with client_of(service) as client:
            yield client, pool
    finally:
        await pool.close()


async def test_a_database_never_migrated_is_not_ready(
    fresh_client: tuple[httpx.AsyncClient, asyncpg.Pool],
) -> None:
    client, _ = fresh_client
    body = await readiness(client, 503)
    assert body["schema"] == "not migrated (run colloquy migrate)"
    assert body["database"] == "ok"


async def test_a_schema_behind_the_head_is_not_ready(
    fresh_client: tuple[httpx.AsyncClient, asyncpg.Pool],
) -> None:
    """As when `serve --no-migrate` starts before the new release's migrations have run."""
    client, pool = fresh_client
    await pool.execute(
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
        "INSERT INTO alembic_version VALUES ('0001_initial')"
    )
    body = await readiness(client, 503)
    assert body["schema"] == f"at 0001_initial, not at {head_revision()} (run colloquy migrate)"


async def test_the_running_app_is_ready_with_its_worker(
    settings: Settings, clock: MovableClock, db: asyncpg.Connection
) -> None:
    service = create_app(settings, clock=clock)
    async with running(service), client_of(service) as client:
        for _ in range(500):  # until its change listener is connected
            if service.state.freshness.listening:
                break
            await asyncio.sleep(0.02)
        assert await readiness(client, 200) == {**ALL_OK, "worker": "ok"}
