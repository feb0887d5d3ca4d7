"""The migrations go all the way down and back up on a real PostgreSQL."""

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from alembic.script import ScriptDirectory

from app.db import alembic_config, migrate

APPLICATION_TABLES = {
    "series",
    "people",
    "interviews",
    "interview_participants",
    "pull_quotes",
    "teasers",
    "tokens",
}


def schema_state(url: str) -> tuple[set[str], list[str]]:
    """The tables in the public schema, and the revisions alembic_version records."""

    async def read() -> tuple[set[str], list[str]]:
        connection = await asyncpg.connect(url)
        try:
            tables = await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
            names = {row["table_name"] for row in tables}
            versions: list[str] = []
            if "alembic_version" in names:
                rows = await connection.fetch("SELECT version_num FROM alembic_version")
                versions = [row["version_num"] for row in rows]
            return names, versions
        finally:
            await connection.close()

    return asyncio.run(read())


def test_downgrade_to_base_and_upgrade_to_head(database_url: str) -> None:
    # A sync test: alembic's env.py runs its own event loop, which it cannot inside a running one.
    config = alembic_config(database_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    try:
        command.downgrade(config, "base")
        tables, versions = schema_state(database_url)
        assert tables - {"alembic_version"} == set(), "tables left after downgrading to base"
        assert versions == []

        migrate(database_url, "head")
        tables, versions = schema_state(database_url)
        assert not APPLICATION_TABLES - tables, f"missing at head: {APPLICATION_TABLES - tables}"
        assert versions == [head]

        migrate(database_url, "head")  # already at head: nothing to do, nothing breaks
        assert schema_state(database_url) == (tables, [head])
    finally:
        # Other tests share this database: leave it at head whatever happened above.
        migrate(database_url, "head")


@pytest.mark.slow
def test_many_migrations_at_once_on_an_empty_database(database_url: str) -> None:
    """Several replicas starting together each migrate: one does the work, none fails.

    Before the advisory lock, two of four concurrent `colloquy migrate` died on a
    UniqueViolationError."""
    fresh = f"race_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin_sql(database_url, f"CREATE DATABASE {fresh}"))
    url = database_url.rsplit("/", 1)[0] + f"/{fresh}"
    try:
        env = {**os.environ, "DATABASE_URL": url}
        runs = [
            subprocess.Popen(
                [str(Path(sys.executable).parent / "colloquy"), "migrate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        outcomes = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        assert [code for code, _, _ in outcomes] == [0] * 6, outcomes
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert schema_state(url)[1] == [head]
    finally:
        asyncio.run(_admin_sql(database_url, f"DROP DATABASE {fresh} WITH (FORCE)"))


async def _admin_sql(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
