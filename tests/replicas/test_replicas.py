"""Public reads from a streaming replica: never older than a change this process was told of,
from the primary when the replica lags beyond COLLOQUY_MAX_REPLICA_LAG or is down, and the lag
shown by readiness."""

import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from app.cache import PublicCache
from app.db import Replica, Replicas
from app.main import create_app
from app.settings import Settings
from tests.conftest import MovableClock
from tests.factories import Headers, Json, make_series
from tests.helpers import acted, publish
from tests.operations.lifespan import running
from tests.operations.test_metrics import scrape, value
from tests.replicas.conftest import GIVE_UP_SECONDS, MAX_LAG, Replay, until

# The session's replica takes a few seconds to copy and start.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("replicas")]


def public_paths(interview: Json) -> list[str]:
    return [
        f"/content/v1/interviews/{interview['slug']}",
        "/content/v1/interviews",
        "/feeds/all.json",
        "/sitemaps/interviews-1.xml",
    ]


async def shows(client: httpx.AsyncClient, path: str, interview: Json) -> bool:
    """Whether the public response at `path` shows the interview."""
    response = await client.get(path)
    assert response.status_code in (200, 404, 410), response.text
    return response.status_code == 200 and interview["slug"] in response.text


async def public_reads(
    client: httpx.AsyncClient, paths: list[str], interview: Json
) -> list[asyncio.Task[bool]]:
    return [asyncio.create_task(shows(client, path, interview)) for path in paths]


async def outcomes(reads: list[asyncio.Task[bool]]) -> list[bool]:
    return list(await asyncio.wait_for(asyncio.gather(*reads), GIVE_UP_SECONDS))


async def test_public_reads_come_from_the_replica_and_admin_reads_from_the_primary(
    app: PublicCache,
    client: httpx.AsyncClient,
    editor: Headers,
    pool: asyncpg.Pool,
    replicas: Replicas,
    replay: Replay,
) -> None:
    changes = app.state.freshness.changes
    series = await make_series(client, editor)
    await until(lambda: app.state.freshness.changes >= changes + 2)  # ours, and the notice
    public = f"/content/v1/series/{series['slug']}"
    assert (await client.get(public)).json()["title"] == "Thursday Interview"
    await replay.pause()
    async with pool.acquire() as db:
        # A write that no notice tells of (triggers are off in this role): only the primary has it.
        await db.execute("SET session_replication_role = replica")
        await db.execute("UPDATE series SET title = 'Renamed' WHERE id = $1", series["id"])
        await db.execute("RESET session_replication_role")
    listed = (await client.get("/content/v1/series")).json()["items"]
    assert [item["title"] for item in listed] == ["Thursday Interview"]
    admin = await client.get(f"/admin/v1/series/{series['id']}", headers=editor)
    assert admin.json()["title"] == "Renamed"


@pytest.mark.parametrize("synchronous_commit", ["on", "off"])
async def test_after_a_publication_no_public_response_shows_the_old_state(
    app: PublicCache,
    client: httpx.AsyncClient,
    editor: Headers,
    interview: Json,
    replicas: Replicas,
    replay: Replay,
) -> None:
    paths = public_paths(interview)
    assert await outcomes(await public_reads(client, paths, interview)) == [False] * 4
    await replay.pause()
    changes = app.state.freshness.changes
    await publish(client, editor, interview)
    await until(lambda: app.state.freshness.changes >= changes + 2)  # ours, and the notice
    reads = await public_reads(client, paths, interview)
    # Each read waits for the replica to replay the publication (the old state is all it has).
    await until(lambda: replicas.waiting == len(paths) or any(read.done() for read in reads))
    assert not any(read.done() for read in reads)
    await replay.resume()
    assert await outcomes(reads) == [True] * 4
    assert await outcomes(await public_reads(client, paths, interview)) == [True] * 4


async def test_no_public_response_shows_a_publication_before_its_commit(
    client: httpx.AsyncClient,
    editor: Headers,
    interview: Json,
    pool: asyncpg.Pool,
    replicas: Replicas,
) -> None:
    paths = public_paths(interview)
    async with pool.acquire() as blocker, blocker.transaction():
        await blocker.execute("LOCK TABLE interviews IN SHARE MODE")
        publishing = asyncio.create_task(publish(client, editor, interview))
        await until(lambda: waiting_for_a_lock(pool))
        assert await outcomes(await public_reads(client, paths, interview)) == [False] * 4
    await asyncio.wait_for(publishing, GIVE_UP_SECONDS)
    assert await outcomes(await public_reads(client, paths, interview)) == [True] * 4


async def waiting_for_a_lock(pool: asyncpg.Pool) -> bool:
    query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    return bool(await pool.fetchval(query))


async def test_a_replica_behind_for_longer_than_the_bound_is_read_around(
    app: PublicCache,
    client: httpx.AsyncClient,
    editor: Headers,
    interview: Json,
    clock: MovableClock,
    replicas: Replicas,
    replay: Replay,
) -> None:
    paths = public_paths(interview)
    await replay.pause()
    await publish(client, editor, interview)
    first, *others = paths
    waiting = await public_reads(client, [first], interview)
    await until(lambda: replicas.waiting == 1)
    assert (await readiness(client))["replicas"][0]["state"] == "ok"
    clock.advance(seconds=MAX_LAG + 1)
    assert await outcomes(waiting) == [True]  # it gave up on the replica: from the primary
    assert await outcomes(await public_reads(client, others, interview)) == [True] * 3
    lagging = (await readiness(client))["replicas"]
    assert lagging == [
        {
            "replica": "replica",
            "state": "lagging: public reads go to the primary",
            "lag_seconds": MAX_LAG + 1,
            "behind_bytes": lagging[0]["behind_bytes"],
        }
    ]
    assert lagging[0]["behind_bytes"] > 0
    samples = await scrape(client)
    assert value(samples, "colloquy_replica_lag_seconds", replica="replica") == MAX_LAG + 1
    assert value(samples, "colloquy_replica_behind_bytes", replica="replica") > 0
    assert value(samples, "colloquy_replica_up", replica="replica") == 1
    await replay.resume()
    await until(lambda: replica_state(client, "ok"))
    assert (await readiness(client))["replicas"][0]["lag_seconds"] == 0
    samples = await scrape(client)
    assert value(samples, "colloquy_replica_lag_seconds", replica="replica") == 0
    assert value(samples, "colloquy_replica_behind_bytes", replica="replica") == 0


async def readiness(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/health/ready")
    assert response.status_code == 200, response.text  # a replica never makes it unready
    body: dict[str, Any] = response.json()
    return body


async def replica_state(client: httpx.AsyncClient, state: str) -> bool:
    return bool((await readiness(client))["replicas"][0]["state"] == state)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_replica_that_is_down_is_skipped(
    client: httpx.AsyncClient, editor: Headers, interview: Json, replicas: Replicas
) -> None:
    url = f"postgresql://colloquy:none@127.0.0.1:{closed_port()}/colloquy"
    down = await asyncpg.create_pool(url, min_size=0, max_size=1)
    assert down is not None
    up = replicas.replicas[0]
    try:
        replicas.replicas = [Replica("down", down), up]
        await publish(client, editor, interview)
        paths = public_paths(interview)
        assert await outcomes(await public_reads(client, paths, interview)) == [True] * 4
        states = {r["replica"]: r["state"] for r in (await readiness(client))["replicas"]}
        assert states == {"down": "unreachable", "replica": "ok"}
        samples = await scrape(client)
        assert value(samples, "colloquy_replica_up", replica="down") == 0
        assert value(samples, "colloquy_replica_up", replica="replica") == 1
        replicas.replicas = [Replica("down", down)]  # none left: the primary
        await acted(client, editor, interview, "withdraw")
        assert await outcomes(await public_reads(client, paths, interview)) == [False] * 4
    finally:
        await down.close()


async def test_while_the_notices_are_not_heard_public_reads_come_from_the_primary(
    app: PublicCache, client: httpx.AsyncClient, editor: Headers, interview: Json, replay: Replay
) -> None:
    paths = public_paths(interview)
    await replay.pause()
    await publish(client, editor, interview)
    app.state.freshness.listening = False  # as when the notice connection has dropped
    assert await outcomes(await public_reads(client, paths, interview)) == [True] * 4


async def test_the_settings_open_the_replicas_for_the_service_and_close_them_after(
    database_url: str, replica_url: str, pool: asyncpg.Pool, clock: MovableClock
) -> None:
    down = f"postgresql://colloquy:none@127.0.0.1:{closed_port()}/colloquy"
    settings = Settings(
        database_url=database_url, read_database_url=(replica_url, down), run_worker=False
    )
    service = create_app(settings, pool=pool, clock=clock)
    async with running(service):
        replicas = service.app.state.replicas
        await until(lambda: service.app.state.freshness.listening)
        transport = httpx.ASGITransport(app=service)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/content/v1/series")).status_code == 200
            states = [(r["replica"], r["state"]) for r in (await readiness(client))["replicas"]]
    assert states == [
        (f"127.0.0.1:{urlsplit(replica_url).port}/colloquy", "ok"),
        (f"127.0.0.1:{urlsplit(down).port}/colloquy", "unreachable"),
    ]
    assert all(replica.pool.is_closing() for replica in replicas.replicas)
