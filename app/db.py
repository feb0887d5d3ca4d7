"""The connection pools, the per-request connection, and running the migrations.

Public reads may go to streaming replicas of the primary (COLLOQUY_READ_DATABASE_URL), which
replay its log a little behind it. Every write and every admin read goes to the primary. A
public read must not show less than this process has been told of: a change notice (or a write
served here, app/cache.py) moves the public cache to a new epoch, and a page rendered from a
replica that has not yet replayed that change would be kept in the new epoch with the old
content. So before a public read, the primary's position in its log is learned once per change
seen (PRIMARY_POSITION), and the read uses a replica only once that replica has replayed up to
it (`pg_last_wal_replay_lsn()`). A replica that has stayed behind such a position for longer
than COLLOQUY_MAX_REPLICA_LAG (by the app clock) is skipped, and a read waiting for it gives
up: it reads from the primary, which is never behind. So does every public read while the
notices are not heard (nothing is then known of other processes' writes). A replica that cannot
be reached is skipped for DOWN_SECONDS. Replicas are taken in turn, so that reads spread over
them, those known to have replayed the target first.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import asyncpg
import msgspec
from alembic import command
from alembic.config import Config
from litestar.datastructures import State
from litestar.di import NamedDependency

from app.clock import Clock
from app.errors import DATABASE_UNAVAILABLE

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# The position asked after a notice, which a replica must have replayed to show the notified
# commit. Not an LSN sent with the notice: the notifying trigger runs before the commit record is
# written. A commit is in the log before its notice is delivered, and, unless the writers commit
# with synchronous_commit off (as this session does, with the same role and database), flushed
# too: the flush position covers it, and a replica can reach it at once. The insert position
# would also cover records of transactions still open, which no replica has until they are
# flushed (at the next synchronous commit; else by the WAL writer within seconds), so it is used
# only where commits are not flushed. Positions as numbers: asyncpg gives pg_lsn as text.
PRIMARY_POSITION = """
SELECT CASE WHEN current_setting('synchronous_commit') = 'off' THEN pg_current_wal_insert_lsn()
            ELSE pg_current_wal_flush_lsn() END - '0/0'::pg_lsn
"""
REPLAYED_POSITION = "SELECT coalesce(pg_last_wal_replay_lsn() - '0/0'::pg_lsn, 0)"
DOWN_SECONDS = 5
CONNECT_SECONDS = 2
# A read waiting for a replica asks again after 1 ms, then twice as long each time up to 50 ms:
# a replica streaming from a primary that commits synchronously is usually there at once.
FIRST_POLL_SECONDS = 0.001
LAST_POLL_SECONDS = 0.05


async def _init_connection(connection: asyncpg.Connection) -> None:
    # jsonb in and out through msgspec, so Structs can be passed straight in as parameters.
    await connection.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda value: msgspec.json.encode(value).decode(),
        decoder=msgspec.json.decode,
    )


async def connect(database_url: str) -> asyncpg.Connection:
    """A single connection with the same codecs as the pool's, for commands."""
    connection = await asyncpg.connect(database_url)
    await _init_connection(connection)
    return connection


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Nothing to undo as a connection goes back to the pool: ours keep no session state (SET
    LOCAL only, advisory locks per transaction, LISTEN on a connection of its own), and asyncpg
    rolls back a transaction left open before this runs. Its default, `RESET ALL; UNLISTEN *;
    ...`, cost a round trip per release: three per Admin API write."""


async def create_pool(database_url: str, size: int) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        database_url, min_size=1, max_size=size, init=_init_connection, reset=_keep_session
    )
    assert pool is not None
    return pool


class Replica:
    """One read replica: its pool and what this process knows of how far it has replayed."""

    def __init__(self, name: str, pool: asyncpg.Pool) -> None:
        self.name = name  # host:port/database, without the credentials
        self.pool = pool
        self.replayed = 0  # the last position it was seen to have replayed
        self.behind_since: datetime | None = None  # when it was first seen short of the target
        self.down_until: datetime | None = None

    def lag(self, now: datetime) -> timedelta:
        return now - self.behind_since if self.behind_since is not None else timedelta(0)

    def up(self, now: datetime) -> bool:
        return self.down_until is None or now >= self.down_until


class Replicas:
    """The read replicas, and the position in the primary's log a public read must see."""

    def __init__(
        self, primary: asyncpg.Pool, replicas: list[Replica], clock: Clock, max_lag: float
    ) -> None:
        self.primary = primary
        self.replicas = replicas
        self.clock = clock
        self.max_lag = timedelta(seconds=max_lag)
        self.target = 0  # the primary's position that covers every change seen
        self.target_covers = -1  # the count of changes seen (Freshness.changes) it covers
        self.learning = asyncio.Lock()
        self.turn = 0
        self.waiting = 0  # reads held up until a replica has replayed the target

    @classmethod
    async def open(
        cls, urls: tuple[str, ...], size: int, primary: asyncpg.Pool, clock: Clock, max_lag: float
    ) -> "Replicas":
        """Their pools connect when first used, so that a replica that is down when the service
        starts only has its reads go elsewhere."""
        replicas = []
        for url in urls:
            pool = await asyncpg.create_pool(
                url, min_size=0, max_size=size, init=_init_connection, timeout=CONNECT_SECONDS
            )
            assert pool is not None
            parts = urlsplit(url)
            replicas.append(Replica(f"{parts.hostname}:{parts.port or 5432}{parts.path}", pool))
        return cls(primary, replicas, clock, max_lag)

    async def close(self) -> None:
        for replica in self.replicas:
            await replica.pool.close()

    async def acquire(self, changes: int | None) -> tuple[asyncpg.Pool, asyncpg.Connection]:
        """A connection that sees every change this process has been told of, and its pool:
        a replica's that has replayed them, else the primary's. `changes`: Freshness.changes,
        or None when the notices are not heard (then the primary's)."""
        if changes is None:
            return self.primary, await self.primary.acquire()
        await self.learn(changes)
        for replica in self._in_turn():
            connection = await self._caught_up(replica)
            if connection is not None:
                return replica.pool, connection
        return self.primary, await self.primary.acquire()

    async def learn(self, changes: int | None) -> None:
        """Learn the primary's position unless it was learned since the `changes`-th change
        (concurrent reads wait for one question instead of each asking)."""
        async with self.learning:
            if changes is not None and changes <= self.target_covers:
                return
            self.target = max(self.target, int(await self.primary.fetchval(PRIMARY_POSITION)))
            if changes is not None:
                self.target_covers = changes
            now = self.clock.now()
            for replica in self.replicas:
                if replica.replayed < self.target and replica.behind_since is None:
                    replica.behind_since = now

    def _in_turn(self) -> list[Replica]:
        """Those up, in turn; those known to have replayed the target first, as a read would
        only wait for the others."""
        now = self.clock.now()
        self.turn = (self.turn + 1) % len(self.replicas)
        order = self.replicas[self.turn :] + self.replicas[: self.turn]
        up = [replica for replica in order if replica.up(now)]
        return sorted(up, key=lambda replica: replica.replayed < self.target)

    async def _caught_up(self, replica: Replica) -> asyncpg.Connection | None:
        """A connection to `replica` once it has replayed the target; None when it cannot be
        reached, or stays behind for longer than max_lag."""
        try:
            connection = await replica.pool.acquire()
        except DATABASE_UNAVAILABLE:
            replica.down_until = self.clock.now() + timedelta(seconds=DOWN_SECONDS)
            return None
        try:
            if replica.replayed >= self.target or await self._wait(replica, connection):
                return connection
        except DATABASE_UNAVAILABLE:
            replica.down_until = self.clock.now() + timedelta(seconds=DOWN_SECONDS)
        except BaseException:
            await replica.pool.release(connection)
            raise
        await replica.pool.release(connection)
        return None

    async def _wait(self, replica: Replica, connection: asyncpg.Connection) -> bool:
        """Whether `replica` replays the target before it has been behind for max_lag."""
        pause = FIRST_POLL_SECONDS
        self.waiting += 1
        try:
            while True:
                await self.check(replica, connection)
                if replica.replayed >= self.target:
                    return True
                if replica.lag(self.clock.now()) > self.max_lag:
                    return False
                await asyncio.sleep(pause)
                pause = min(pause * 2, LAST_POLL_SECONDS)
        finally:
            self.waiting -= 1

    async def check(self, replica: Replica, connection: asyncpg.Connection) -> None:
        """Ask `replica` how far it has replayed."""
        replica.replayed = int(await connection.fetchval(REPLAYED_POSITION))
        if replica.replayed >= self.target:
            replica.behind_since = None


# How long readiness and a metrics scrape wait for the primary's or a replica's answer.
QUESTION_SECONDS = 2


class ReplicaReadiness(msgspec.Struct):
    """How far a read replica is behind: the time since it was first seen short of a position
    the primary had reached, and by how many bytes of log."""

    replica: str  # host:port/database
    state: Literal["ok", "lagging: public reads go to the primary", "unreachable"]
    lag_seconds: float
    behind_bytes: int


async def check_replicas(replicas: Replicas) -> list[ReplicaReadiness]:
    """Each replica asked how far it has replayed, against the primary's position now."""
    # When the primary cannot be reached, the database check says so; the replicas are still
    # measured against the last position learned.
    with contextlib.suppress(Exception):
        await asyncio.wait_for(replicas.learn(None), QUESTION_SECONDS)
    return [await _check_replica(replicas, replica) for replica in replicas.replicas]


async def _check_replica(replicas: Replicas, replica: Replica) -> ReplicaReadiness:
    try:
        async with replica.pool.acquire(timeout=QUESTION_SECONDS) as db:
            await asyncio.wait_for(replicas.check(replica, db), QUESTION_SECONDS)
    except Exception:  # any failure to reach it
        return ReplicaReadiness(replica.name, "unreachable", 0.0, 0)
    lag = replica.lag(replicas.clock.now())
    behind = max(0, replicas.target - replica.replayed)
    if lag > replicas.max_lag:
        return ReplicaReadiness(
            replica.name, "lagging: public reads go to the primary", lag.total_seconds(), behind
        )
    return ReplicaReadiness(replica.name, "ok", lag.total_seconds(), behind)


async def _acquire(state: State, pool: asyncpg.Pool) -> asyncpg.Connection:
    """`state.pool_waiting` counts the requests still waiting for their connection (asyncpg
    does not say), for the metrics."""
    state.pool_waiting += 1
    try:
        return await pool.acquire()
    finally:
        state.pool_waiting -= 1


async def provide_connection(state: State) -> AsyncIterator[asyncpg.Connection]:
    """One connection to the primary for the length of a request."""
    connection = await _acquire(state, state.pool)
    try:
        yield connection
    finally:
        await state.pool.release(connection)


async def provide_reader(state: State) -> AsyncIterator[asyncpg.Connection]:
    """For the public reads: a connection that shows at least every change this process has
    been told of, to a replica when one has replayed them (Replicas), else to the primary."""
    replicas: Replicas | None = state.replicas
    if replicas is None:
        pool, connection = state.pool, await _acquire(state, state.pool)
    else:
        changes = state.freshness.changes if state.freshness.listening else None
        state.pool_waiting += 1
        try:
            pool, connection = await replicas.acquire(changes)
        finally:
            state.pool_waiting -= 1
    try:
        yield connection
    finally:
        await pool.release(connection)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; call from synchronous code (alembic runs its own loop)."""
    command.upgrade(alembic_config(database_url), revision)


def assignments(changes: dict[str, object], first: int) -> tuple[str, list[object]]:
    """`col = $n, ...` for an UPDATE, numbered from `first`; column names come from Structs."""
    clause = ", ".join(f"{column} = ${first + i}" for i, column in enumerate(changes))
    return clause, list(changes.values())


Db = NamedDependency[asyncpg.Connection]
"""A handler parameter `db: Db` gets the request's pooled connection: for the public routes
(app/main.py) one that `provide_reader` chose, else one to the primary."""
