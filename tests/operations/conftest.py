"""Fixtures for the operations tests: the `colloquy` command as a subprocess (shared with
tests/test_cli.py), and empty databases beside the test database."""

import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.test_cli import cli  # noqa: F401  (the fixture)


@pytest.fixture
async def fresh_database(database_url: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the test server, dropped afterwards."""
    name = f"colloquy_fresh_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()
