"""The connection pool, the per-request connection, and running the migrations."""

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import msgspec
from alembic import command
from alembic.config import Config
from litestar.datastructures import State
from litestar.di import NamedDependency

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


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


async def create_pool(database_url: str, size: int) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=size, init=_init_connection)
    assert pool is not None
    return pool


async def provide_connection(state: State) -> AsyncIterator[asyncpg.Connection]:
    """One pooled connection for the length of a request; `state.pool_waiting` counts the
    requests still waiting for theirs (asyncpg does not say), for the metrics."""
    state.pool_waiting += 1
    try:
        connection = await state.pool.acquire()
    finally:
        state.pool_waiting -= 1
    try:
        yield connection
    finally:
        await state.pool.release(connection)


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
"""A handler parameter `db: Db` gets the request's pooled connection."""
