"""`colloquy backup` and `colloquy restore`, run for real: a backup restored into a fresh
database holds every interview, token hash and webhook; the embedded database too."""

import subprocess
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.auth import Role
from tests.conftest import MovableClock, bearer
from tests.factories import Headers, Json, make_interview
from tests.operations import failed
from tests.postmaster import stop_leftover_server
from tests.test_cli import SECRET, Cli, ok

pytestmark = pytest.mark.slow

CONFIGURATION = 2
# What a backup must carry over, row for row.
KEPT = {
    "interviews": "SELECT id, slug, title, status, body FROM interviews ORDER BY id",
    "tokens": "SELECT id, name, role, secret_hash, revoked_at FROM tokens ORDER BY id",
    "webhooks": "SELECT id, url, event_types, secret, active FROM webhooks ORDER BY id",
}


async def contents(url: str) -> dict[str, list[asyncpg.Record]]:
    connection = await asyncpg.connect(url)
    try:
        return {table: await connection.fetch(query) for table, query in KEPT.items()}
    finally:
        await connection.close()


def backed_up(result: subprocess.CompletedProcess[str]) -> str:
    """What a successful backup or restore showed while it worked."""
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stderr


async def test_a_backup_restored_into_a_fresh_database_holds_everything(
    cli: Cli,
    client: httpx.AsyncClient,
    editor: Headers,
    series: Json,
    people: tuple[Json, Json],
    db: asyncpg.Connection,
    clock: MovableClock,
    database_url: str,
    fresh_database: str,
    tmp_path: Path,
) -> None:
    for title in ("First", "Second", "Third"):
        await make_interview(client, editor, series, *people, title=title)
    await bearer(db, Role.admin, clock)
    await db.execute(
        """
        INSERT INTO webhooks (url, event_types, secret, created_at, updated_at)
        VALUES ('https://hooks.example/a', '{interview.published}', 'first secret', $1, $1),
               ('https://hooks.example/b', '{interview.withdrawn}', 'second secret', $1, $1)
        """,
        clock.now(),
    )
    before = await contents(database_url)
    assert [len(rows) for rows in before.values()] == [3, 2, 2]  # the editor's token and ours
    path = tmp_path / "colloquy.backup"

    shown = backed_up(cli("backup", str(path), env={"DATABASE_URL": database_url}))
    assert "] interviews (" in shown, shown  # each table as it is reached, with its size
    restored = cli("restore", str(path), env={"DATABASE_URL": fresh_database})
    assert "] interviews" in backed_up(restored)

    assert await contents(fresh_database) == before


def test_restore_into_a_database_with_tables_needs_clean(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "colloquy.backup"
    backed_up(cli("backup", str(path), env={"DATABASE_URL": database_url}))
    stderr = failed(cli("restore", str(path), env={"DATABASE_URL": database_url}), CONFIGURATION)
    assert "the database already has tables" in stderr
    assert "--clean" in stderr


def test_the_embedded_database_is_backed_up_and_restored(cli: Cli, tmp_path: Path) -> None:
    """pg_dump and pg_restore are found beside the embedded server's own binaries."""
    secret = ok(cli("tokens", "create", "--name", "kept", "--role", "admin"))[-1]
    assert SECRET.fullmatch(secret)
    path = tmp_path / "embedded.backup"
    backed_up(cli("backup", str(path)))

    elsewhere = cli.data_dir.parent / "restored"
    try:
        backed_up(cli("restore", str(path), env={"COLLOQUY_DATA_DIR": str(elsewhere)}))
        listed = ok(cli("tokens", "list", env={"COLLOQUY_DATA_DIR": str(elsewhere)}))
    finally:
        stop_leftover_server(elsewhere)
    assert [line.split()[-1] for line in listed] == ["kept"]
