"""With several server processes, /metrics is for the whole service, whichever process answers.

Each request goes on a new connection, which the kernel hands to either process; before the
multiprocess mode a scrape reported only the requests of the process that answered it."""

import re
from pathlib import Path

import pytest

from tests.operations.serving import Server, serving
from tests.test_cli import Cli

pytestmark = pytest.mark.slow

LIVE = re.compile(
    r'colloquy_http_requests_total\{method="GET",route="/health/live",status="200"\} (\S+)'
)


async def counted(server: Server) -> float:
    response = await server.get("/metrics")
    assert response.status_code == 200, response.text
    found = LIVE.search(response.text)
    return float(found.group(1)) if found else 0.0


async def test_requests_to_two_workers_add_up(cli: Cli, tmp_path: Path) -> None:
    async with serving(cli, tmp_path, COLLOQUY_WORKERS="2") as server:
        await server.wait_ready()
        before = await counted(server)
        for _ in range(40):
            assert (await server.get("/health/live")).status_code == 200
        # Whichever process answers the scrape, it counts the 40 of both.
        assert [await counted(server) - before for _ in range(6)] == [40.0] * 6
        pids = set(re.findall(r"Spawning worker-\d+ with PID: (\d+)", server.printed()))
        assert len(pids) == 2, server.printed()
