"""Alembic runs the hand-written revisions over asyncpg, the driver the service uses."""

import asyncio
import os

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1).replace(
        "postgres://", "postgresql+asyncpg://", 1
    )


# Any number of `colloquy migrate` or `serve` may start at once (replicas, the Docker image's
# entrypoint): each waits for this session lock, then finds the schema where the last one left it.
MIGRATION_LOCK = 0x636F6C6C6F717579  # "colloquy"


def run_with(connection: Connection) -> None:
    connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
    connection.commit()  # the lock belongs to the session and outlives this transaction
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    url = context.config.attributes.get("database_url") or os.environ["DATABASE_URL"]
    engine = create_async_engine(sqlalchemy_url(url))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with)
    finally:
        await engine.dispose()


asyncio.run(run_online())
