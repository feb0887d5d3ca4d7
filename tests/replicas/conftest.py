"""A streaming replica of the run's cluster (pg_basebackup -R through app/embedded.py), started
once for the run (only when a test here asks for it), and the app with its public reads going to it.

Lag is made by pausing the replica's replay (`pg_wal_replay_pause()`): it still receives the
primary's log but applies none of it until resumed. Time beyond COLLOQUY_MAX_REPLICA_LAG is the
test clock moved on, not waited for.

The app writes with synchronous_commit on, PostgreSQL's default (the run's cluster has it off):
a test that asks for `synchronous_commit` "off" checks the other way of learning the primary's
position (app/db.py, PRIMARY_POSITION).
"""

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterator

import asyncpg
import pytest

from app.cache import PublicCache
from app.db import Replica, Replicas, create_pool
from app.embedded import EmbeddedPostgres
from tests.conftest import MovableClock, traversable_temp_dir

MAX_LAG = 2.0
GIVE_UP_SECONDS = 30  # only so that a broken wait fails the test instead of hanging the run


@pytest.fixture(scope="session")
def replica_url(database_url: str) -> Iterator[str]:
    data_dir = traversable_temp_dir("colloquy-replica-")
    try:
        with EmbeddedPostgres(data_dir, replica_of=database_url).running() as url:
            yield url
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def primaries(database_url: str) -> AsyncIterator[dict[str, asyncpg.Pool]]:
    """A pool of the primary for each way of committing, set for its sessions as they start
    (asyncpg passes unknown URL parameters as settings)."""
    separator = "&" if "?" in database_url else "?"
    pools = {
        mode: await create_pool(f"{database_url}{separator}synchronous_commit={mode}", 5)
        for mode in ("on", "off")
    }
    yield pools
    for pool in pools.values():
        await pool.close()


@pytest.fixture
def synchronous_commit() -> str:
    return "on"


@pytest.fixture(scope="session")
async def replica_pool(replica_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(replica_url, 5)
    yield pool
    await pool.close()


class Replay:
    """The replica's replay, paused and resumed by the test; never left paused after it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def pause(self) -> None:
        await self.pool.execute("SELECT pg_wal_replay_pause()")
        await until(self.paused)

    async def paused(self) -> bool:
        state = await self.pool.fetchval("SELECT pg_get_wal_replay_pause_state()")
        return bool(state == "paused")

    async def resume(self) -> None:
        await self.pool.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
async def replay(replica_pool: asyncpg.Pool) -> AsyncIterator[Replay]:
    replay = Replay(replica_pool)
    yield replay
    await replay.resume()


@pytest.fixture
async def replicas(
    app: PublicCache,
    primaries: dict[str, asyncpg.Pool],
    synchronous_commit: str,
    replica_pool: asyncpg.Pool,
    clock: MovableClock,
) -> Replicas:
    """The app's public reads go to the replica (as COLLOQUY_READ_DATABASE_URL makes them in
    the lifespan, which the tests' app does not run), once it has replayed everything so far:
    the tables emptied after the test before, by a connection that commits without flushing."""
    primary = app.state.pool = primaries[synchronous_commit]
    written = await primary.fetchval("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")
    await until(lambda: replayed_at_least(replica_pool, written))
    replicas = Replicas(primary, [Replica("replica", replica_pool)], clock, MAX_LAG)
    app.state.replicas = replicas
    return replicas


async def replayed_at_least(replica_pool: asyncpg.Pool, position: int) -> bool:
    replayed = await replica_pool.fetchval("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn")
    return bool(replayed >= position)


async def until(condition: Callable[[], object]) -> None:
    """Wait until `condition()` (awaited if need be) is true: for something that must happen."""
    for _ in range(GIVE_UP_SECONDS * 200):
        outcome = condition()
        if asyncio.iscoroutine(outcome):
            outcome = await outcome
        if outcome:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"{condition} did not come true within {GIVE_UP_SECONDS} s")
