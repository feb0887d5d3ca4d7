"""The `colloquy` command, run for real as a subprocess on its own embedded PostgreSQL."""

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.cli import check_port_free
from tests.conftest import traversable_temp_dir
from tests.postmaster import alive, postmaster_pid, server_running, stop_leftover_server, wait_dead

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
COLLOQUY = shutil.which("colloquy", path=str(Path(sys.executable).parent)) or shutil.which(
    "colloquy"
)
SECRET = re.compile(r"cq_[A-Za-z0-9_-]{20,}")


class Cli:
    """The command with a fresh data directory and no DATABASE_URL."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("COLLOQUY_") and "DATABASE_URL" not in name
        }
        self.env["COLLOQUY_DATA_DIR"] = str(data_dir)

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        assert COLLOQUY is not None, "the colloquy console script is not installed"
        return subprocess.run(
            [COLLOQUY, *args],
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            cwd=REPO,
            timeout=timeout,
        )


@pytest.fixture
def cli() -> Iterator[Cli]:
    parent = traversable_temp_dir("colloquy-cli-")
    data_dir = parent / "data"
    try:
        yield Cli(data_dir)
    finally:
        stop_leftover_server(data_dir)
        shutil.rmtree(parent, ignore_errors=True)


def ok(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines a command printed, once it has succeeded."""
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["migrate"],
        ["demo"],
        ["tokens"],
        ["tokens", "create"],
        ["tokens", "list"],
        ["tokens", "revoke"],
    ],
    ids=lambda command: " ".join(command) or "colloquy",
)
def test_help(cli: Cli, command: list[str]) -> None:
    lines = ok(cli(*command, "--help", timeout=60))
    assert lines[0].startswith(" ".join(["usage: colloquy", *command]))
    assert not cli.data_dir.exists(), "--help must not touch the database"


def test_tokens_create_list_revoke(cli: Cli) -> None:
    lines = ok(cli("tokens", "create", "--name", "web", "--role", "editor"))
    secret = lines[-1]
    assert SECRET.fullmatch(secret), f"the last line is not the secret alone: {secret!r}"
    assert secret not in "\n".join(lines[:-1])
    assert not server_running(cli.data_dir), "tokens create left the embedded server running"

    listed = [line for line in ok(cli("tokens", "list")) if line.endswith("  web")]
    assert len(listed) == 1, listed
    token_id, role, state = listed[0].split()[:3]
    assert (role, state) == ("editor", "active")
    uuid.UUID(token_id)
    assert secret not in listed[0]

    assert ok(cli("tokens", "revoke", token_id)) == [f"revoked {token_id} (web)"]
    [line] = [line for line in ok(cli("tokens", "list")) if line.startswith(token_id)]
    assert line.split()[2] == "revoked"
    assert not server_running(cli.data_dir)

    unknown = str(uuid.uuid4())
    result = cli("tokens", "revoke", unknown)
    assert result.returncode != 0
    assert f"no token {unknown}" in result.stderr


def test_demo_loads_once(cli: Cli) -> None:
    assert ok(cli("demo")) == ["loaded the Thursday Interview with Murad Muradov"]
    assert ok(cli("demo")) == ["the demo data is already there"]
    assert not server_running(cli.data_dir)


def test_demo_refuses_an_external_database(cli: Cli) -> None:
    result = cli("demo", env={"DATABASE_URL": "postgresql://someone@127.0.0.1:9/elsewhere"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert not cli.data_dir.exists(), "the embedded database was started anyway"


def test_migrate(cli: Cli) -> None:
    assert ok(cli("migrate")) == ["migrated to head"]
    assert not server_running(cli.data_dir)


def test_bad_configuration_is_reported(cli: Cli) -> None:
    result = cli("migrate", env={"COLLOQUY_PORT": "notaport"}, timeout=60)
    assert result.returncode != 0
    assert "bad configuration" in result.stderr
    assert "Traceback" not in result.stderr
    assert not cli.data_dir.exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(base_url: str, server: "subprocess.Popen[str]", seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"colloquy serve exited with {server.returncode}"
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"colloquy serve was not ready within {seconds} s")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_end_to_end(cli: Cli, tmp_path: Path, stop: signal.Signals) -> None:
    assert COLLOQUY is not None
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("w") as out, stderr.open("w") as err:
        server = subprocess.Popen(
            [COLLOQUY, "serve"],
            stdout=out,
            stderr=err,
            text=True,
            env={**cli.env, "COLLOQUY_PORT": str(port)},
            cwd=REPO,
        )
    try:
        try:
            wait_ready(base_url, server)
        except BaseException:
            print(stdout.read_text(), stderr.read_text())
            raise

        # The first start of an empty database shows an admin token, alone on its line, and
        # where the service answers (COLLOQUY_BASE_URL unset: its own host and port).
        printed = stdout.read_text()
        admins = [line.strip() for line in printed.splitlines() if line.strip().startswith("cq_")]
        assert len(admins) == 1, printed
        assert SECRET.fullmatch(admins[0])
        assert f"{base_url}/health/ready" in printed
        admin = {"Authorization": f"Bearer {admins[0]}"}
        response = httpx.get(f"{base_url}/admin/v1/tokens", headers=admin, timeout=10)
        assert response.status_code == 200, response.text
        assert [token["name"] for token in response.json()] == ["first admin"]

        # A second command shares the running server and leaves it running.
        postmaster = postmaster_pid(cli.data_dir)
        assert postmaster is not None
        editor = ok(cli("tokens", "create", "--name", "web", "--role", "editor"))[-1]
        assert postmaster_pid(cli.data_dir) == postmaster and alive(postmaster)
        response = httpx.get(
            f"{base_url}/admin/v1/series",
            headers={"Authorization": f"Bearer {editor}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text

        server.send_signal(stop)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"colloquy serve did not exit within 20 s of {stop.name}")
        assert wait_dead(postmaster), (
            f"the embedded PostgreSQL (pid {postmaster}) still runs after colloquy serve "
            f"exited with {server.returncode} on {stop.name}"
        )
        assert postmaster_pid(cli.data_dir) is None
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


# A command that crashes while it uses the embedded server: the server stays up, unused.
CRASH = """
import os, signal, sys
from pathlib import Path

from app.db import migrate
from app.embedded import EmbeddedPostgres

with EmbeddedPostgres(Path(sys.argv[1])).running() as url:
    migrate(url)
    print(url, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_serve_stopped_while_starting_stops_the_embedded_server(cli: Cli) -> None:
    """SIGTERM before uvicorn runs (here: while serve migrates) must still stop the server.

    serve attaches to a server left by a crashed command, and its migration is held up on a
    lock this test takes, so the signal lands during startup every time.
    """
    assert COLLOQUY is not None
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, str(cli.data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    url = crashed.stdout.strip()
    postmaster = postmaster_pid(cli.data_dir)
    assert postmaster is not None and alive(postmaster)

    async def scenario() -> int | None:
        blocker = await asyncpg.connect(url, timeout=10)
        # Another connection watches: pg_stat_activity stands still inside a transaction.
        watcher = await asyncpg.connect(url, timeout=10)
        try:
            await blocker.execute("BEGIN; LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
            server = await asyncio.create_subprocess_exec(
                COLLOQUY,
                "serve",
                env={**cli.env, "COLLOQUY_PORT": str(free_port())},
                cwd=REPO,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                async with asyncio.timeout(60):
                    while not await watcher.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    ):
                        assert server.returncode is None, "serve exited before it migrated"
                        await asyncio.sleep(0.05)
                server.send_signal(signal.SIGTERM)
                async with asyncio.timeout(20):
                    return await server.wait()
            finally:
                if server.returncode is None:
                    server.kill()
                    await server.wait()
        finally:
            blocker.terminate()
            watcher.terminate()

    returncode = asyncio.run(scenario())
    assert wait_dead(postmaster), (
        f"the embedded PostgreSQL (pid {postmaster}) still runs after colloquy serve, "
        f"sent SIGTERM while it migrated, exited with {returncode}"
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to 'nobody'")
def test_unreachable_data_dir_is_reported(cli: Cli) -> None:
    private = cli.data_dir.parent / "private"
    private.mkdir(mode=0o700)
    result = cli("migrate", env={"COLLOQUY_DATA_DIR": str(private / "data")}, timeout=60)
    assert result.returncode != 0
    assert f"{private} cannot be entered by 'nobody'" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_a_busy_port_is_a_one_line_error(cli: Cli) -> None:
    """Before: it said "Listening" and took a share of the other server's requests."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = cli("serve", env={"COLLOQUY_PORT": str(port)}, timeout=60)
    assert result.returncode == 2, "a configuration error"
    assert result.stderr.strip().splitlines() == [
        f"cannot listen on 127.0.0.1:{port}: Address already in use; stop what listens there, "
        "or set COLLOQUY_PORT (or COLLOQUY_HOST) to another"
    ]
    assert not server_running(cli.data_dir)


def test_a_port_left_with_closed_connections_is_free_to_serve_on_again() -> None:
    """A server that stopped leaves the connections it closed in TIME_WAIT for a minute; a
    restart must not take the port for busy. Before, `colloquy serve` refused to start for that
    minute after it was stopped under load."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as granian's is
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = listener.accept()
            accepted.close()  # the server's end closes first: it is the one in TIME_WAIT
            client.recv(1)
    check_port_free("127.0.0.1", port)


def test_serve_outlives_its_embedded_server_being_killed(cli: Cli, tmp_path: Path) -> None:
    """kill -9 of the postmaster: serve restarts it on the same port and reconnects by itself.

    Before: public routes answered a bare 500 and serve stayed broken until it was restarted."""
    assert COLLOQUY is not None
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("w") as out, stderr.open("w") as err:
        server = subprocess.Popen(
            [COLLOQUY, "serve"],
            stdout=out,
            stderr=err,
            text=True,
            env={**cli.env, "COLLOQUY_PORT": str(port)},
            cwd=REPO,
        )
    try:
        wait_ready(base_url, server)
        secret = SECRET.search(stdout.read_text())
        assert secret is not None
        admin = {"Authorization": f"Bearer {secret.group()}"}
        feed = httpx.get(f"{base_url}/feeds/all.rss", timeout=10)
        assert feed.status_code == 200

        postmaster = postmaster_pid(cli.data_dir)
        assert postmaster is not None
        os.kill(postmaster, signal.SIGKILL)
        assert wait_dead(postmaster)

        statuses: set[tuple[str, int]] = set()
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"serve exited with {server.returncode}"
            for path in ("/feeds/all.rss", "/admin/v1/series", "/health/ready"):
                response = httpx.get(f"{base_url}{path}", headers=admin, timeout=10)
                statuses.add((path, response.status_code))
            created = httpx.post(
                f"{base_url}/admin/v1/series", json={"title": "After"}, headers=admin, timeout=10
            )
            statuses.add(("POST /admin/v1/series", created.status_code))
            if created.status_code == 201:
                break
            assert time.monotonic() < deadline, f"not back within 60 s: {statuses}"
            time.sleep(0.2)
        assert {status for _, status in statuses} <= {200, 201, 503}, statuses
        # The warm feed is answered from the cache all along (stale-if-error).
        assert {status for path, status in statuses if path == "/feeds/all.rss"} == {200}
        assert postmaster_pid(cli.data_dir) not in (None, postmaster)
        # Ready again once its change-notice connection is back too (it retries each second).
        wait_ready(base_url, server)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
