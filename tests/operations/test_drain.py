"""`colloquy serve` on SIGTERM, for real: readiness turns 503 at once while new connections are
still served for the drain period; then the request in flight finishes, and it exits 0.

The request in flight is a PATCH held up by a lock that the test takes on its series, let go
only once granian says it is stopping: so the PATCH is in flight across the stop.
"""

import asyncio
import signal
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.operations.serving import Server, serving
from tests.test_cli import SECRET, Cli

pytestmark = pytest.mark.slow

STOPPING = "Shutting down granian"


def embedded_url(data_dir: Path) -> str:
    password = (data_dir / "password").read_text().strip()
    port = int((data_dir / "port").read_text())
    return f"postgresql://colloquy:{password}@127.0.0.1:{port}/colloquy"


async def readiness_turns_503(server: Server) -> dict[str, str]:
    for _ in range(200):
        response = await server.get("/health/ready")
        if response.status_code == 503:
            body: dict[str, str] = response.json()
            return body
        assert response.status_code == 200, response.text
        await asyncio.sleep(0.05)
    raise AssertionError("readiness did not turn 503 within 10 s of SIGTERM")


async def a_request_waits_for_a_lock(db: asyncpg.Connection) -> None:
    for _ in range(500):
        if await db.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        ):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the PATCH did not reach the lock within 10 s")


async def granian_stops(server: Server) -> None:
    for _ in range(600):
        if STOPPING in server.printed():
            return
        assert server.process.returncode is None, server.printed()
        await asyncio.sleep(0.05)
    raise AssertionError(f"granian did not begin to stop within 30 s\n{server.printed()}")


async def test_sigterm_drains_then_finishes_what_is_in_flight_and_exits_0(
    cli: Cli, tmp_path: Path
) -> None:
    """Before: SIGTERM stopped accepting at once, so a load balancer still sending there got
    refused connections until its next probe."""
    async with serving(cli, tmp_path, COLLOQUY_DRAIN_SECONDS="8") as server:
        await server.wait_ready()
        secret = SECRET.search(server.printed())
        assert secret is not None
        admin = {"Authorization": f"Bearer {secret.group()}"}
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as api:
            created = await api.post("/admin/v1/series", json={"title": "Before"}, headers=admin)
            assert created.status_code == 201, created.text
            series = created.json()
            locker = await asyncpg.connect(embedded_url(cli.data_dir))
            watcher = await asyncpg.connect(embedded_url(cli.data_dir))
            try:
                await locker.execute("BEGIN")
                await locker.execute("SELECT 1 FROM series WHERE id = $1 FOR UPDATE", series["id"])
                patch = asyncio.create_task(
                    api.patch(
                        f"/admin/v1/series/{series['id']}",
                        json={"title": "During the stop"},
                        headers={**admin, "If-Match": created.headers["etag"]},
                    )
                )
                await a_request_waits_for_a_lock(watcher)

                server.process.send_signal(signal.SIGTERM)
                body = await readiness_turns_503(server)
                assert body["shutdown"] == "draining", body
                assert (await server.get("/health/live")).status_code == 200
                assert (await server.get("/content/v1/series")).status_code == 200
                assert not patch.done()

                await granian_stops(server)
                await locker.execute("ROLLBACK")
                answered = await patch
            finally:
                await locker.close()
                await watcher.close()
        assert answered.status_code == 200, answered.text
        assert answered.json()["title"] == "During the stop"
        assert await server.exit_code() == 0, server.printed()


async def test_a_second_sigterm_stops_without_waiting_for_the_drain(
    cli: Cli, tmp_path: Path
) -> None:
    async with serving(cli, tmp_path, COLLOQUY_DRAIN_SECONDS="600") as server:
        await server.wait_ready()
        server.process.send_signal(signal.SIGTERM)
        await readiness_turns_503(server)
        server.process.send_signal(signal.SIGTERM)
        assert await server.exit_code() == 0, server.printed()
