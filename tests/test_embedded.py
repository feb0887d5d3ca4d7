"""The embedded PostgreSQL: kept data, one server shared by every user, stopped by the last."""

import asyncio
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from app.embedded import EmbeddedPostgres
from tests.conftest import traversable_temp_dir
from tests.postmaster import alive, postmaster_pid, stop_leftover_server, wait_dead

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A fresh data directory the unprivileged server user can reach; removed afterwards."""
    parent = traversable_temp_dir("colloquy-embedded-")
    path = parent / "data"
    try:
        yield path
    finally:
        stop_leftover_server(path)
        shutil.rmtree(parent, ignore_errors=True)


def query(url: str, *statements: str) -> list[Any]:
    """Run each statement on one short connection; the first column of the last one's rows."""

    async def run() -> list[Any]:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            rows: list[Any] = []
            for statement in statements:
                rows = await connection.fetch(statement)
            return [row[0] for row in rows]
        finally:
            await connection.close()

    return asyncio.run(run())


def test_data_survives_a_restart(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir).running() as url:
        query(url, "CREATE TABLE notes (body text)", "INSERT INTO notes VALUES ('kept')")
        first = postmaster_pid(data_dir)
        assert first is not None and alive(first)
    assert postmaster_pid(data_dir) is None, "the server still runs after the last user left"
    assert wait_dead(first)

    with EmbeddedPostgres(data_dir).running() as url:
        second = postmaster_pid(data_dir)
        assert second is not None and alive(second)
        assert query(url, "SELECT body FROM notes") == ["kept"]


def test_nested_users_share_one_server_and_the_outer_stops_it(data_dir: Path) -> None:
    # As `serve` and a second command would: two users of the same data directory.
    with EmbeddedPostgres(data_dir).running() as outer:
        pid = postmaster_pid(data_dir)
        assert pid is not None
        with EmbeddedPostgres(data_dir).running() as inner:
            assert inner == outer
            assert postmaster_pid(data_dir) == pid
            query(inner, "CREATE TABLE notes (body text)", "INSERT INTO notes VALUES ('inner')")
        # The inner user left; the outer one still has its server.
        assert postmaster_pid(data_dir) == pid and alive(pid)
        assert query(outer, "SELECT body FROM notes") == ["inner"]
    assert postmaster_pid(data_dir) is None, "the last user out did not stop the server"
    assert wait_dead(pid), "the postmaster still runs after the last user left"


def test_password_file_is_private(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir).running() as url:
        password_file = data_dir / "password"
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        assert password_file.stat().st_uid == os.geteuid()
        assert f":{password_file.read_text().strip()}@" in url
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600


SECOND_PROCESS = """
import asyncio, sys
from pathlib import Path

import asyncpg

from app.embedded import EmbeddedPostgres
from tests.conftest import traversable_temp_dir


async def read(url):
    connection = await asyncpg.connect(url, timeout=10)
    try:
        return await connection.fetchval("SELECT body FROM notes")
    finally:
        await connection.close()


with EmbeddedPostgres(Path(sys.argv[1])).running() as url:
    print(url)
    print(asyncio.run(read(url)))
"""


def test_a_second_process_uses_the_same_server(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir).running() as url:
        pid = postmaster_pid(data_dir)
        query(url, "CREATE TABLE notes (body text)", "INSERT INTO notes VALUES ('shared')")

        result = subprocess.run(
            [sys.executable, "-c", SECOND_PROCESS, str(data_dir)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [url, "shared"]

        # The second process left; the first one's server goes on.
        assert postmaster_pid(data_dir) == pid
        assert pid is not None and alive(pid)
        assert query(url, "SELECT count(*) FROM notes") == [1]
    assert postmaster_pid(data_dir) is None


def wait_for_answer(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            query(url, "SELECT 1")
            return
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_killed_server_is_started_again_on_the_same_port(data_dir: Path) -> None:
    """Before: a kill -9 of the postmaster was fatal until every command was restarted, and the
    next command started the server on another port."""
    with EmbeddedPostgres(data_dir).running() as url:
        query(url, "CREATE TABLE notes (body text)", "INSERT INTO notes VALUES ('kept')")
        first = postmaster_pid(data_dir)
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert wait_dead(first)
        wait_for_answer(url)
        second = postmaster_pid(data_dir)
        assert second is not None and second != first and alive(second)
        assert query(url, "SELECT body FROM notes") == ["kept"]
    assert postmaster_pid(data_dir) is None, "the last user out did not stop the server"
    assert wait_dead(second)


def test_the_next_start_keeps_the_port(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir).running() as first:
        pass
    with EmbeddedPostgres(data_dir).running() as second:
        assert second == first
