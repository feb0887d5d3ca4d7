"""`colloquy serve` as a subprocess on the `cli` fixture's embedded database."""

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.test_cli import COLLOQUY, REPO, Cli, free_port


class Server:
    """A `colloquy serve` subprocess and what it printed."""

    def __init__(self, process: asyncio.subprocess.Process, output: Path, port: int) -> None:
        self.process = process
        self.output = output
        self.base_url = f"http://127.0.0.1:{port}"

    def printed(self) -> str:
        return self.output.read_text()

    async def get(self, path: str, **headers: str) -> httpx.Response:
        """A GET on a new connection, as a load balancer's probe or a new client makes."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as client:
            return await client.get(path, headers=headers)

    async def exit_code(self, seconds: float = 30) -> int:
        try:
            async with asyncio.timeout(seconds):
                return await self.process.wait()
        except TimeoutError:
            raise AssertionError(f"still running {seconds} s on\n{self.printed()}") from None

    async def wait_live(self) -> None:
        await self._wait_for("/health/live")

    async def wait_ready(self) -> None:
        await self._wait_for("/health/ready")

    async def _wait_for(self, path: str) -> None:
        for _ in range(300):
            assert self.process.returncode is None, f"it exited\n{self.printed()}"
            try:
                if (await self.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"{path} did not answer 200 within 30 s\n{self.printed()}")


@asynccontextmanager
async def serving(cli: Cli, tmp_path: Path, *arguments: str, **env: str) -> AsyncIterator[Server]:
    """`colloquy serve` with these arguments and settings, once it answers (ready or not)."""
    assert COLLOQUY is not None
    port = free_port()
    output = tmp_path / "output"
    with output.open("w") as out:
        process = await asyncio.create_subprocess_exec(
            COLLOQUY,
            "serve",
            *arguments,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            env={**cli.env, "COLLOQUY_PORT": str(port), **env},
            cwd=REPO,
            start_new_session=True,  # its own process group: granian's workers with it
        )
    server = Server(process, output, port)
    try:
        await server.wait_live()
        yield server
    finally:
        # The whole group: killing only the main process left granian's worker processes
        # running, on the test database for some, delivering and purging for later tests.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
