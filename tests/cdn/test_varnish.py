"""Varnish for real, with the shipped VCL, in front of `colloquy serve`: a publication reaches
the front page, the feeds and the card through Varnish (its worker purges the keys), while an
unrelated interview's page stays in Varnish's cache.

How soon is printed, not asserted (speed is the benchmarks' business, and a loaded machine
would make such a test fail for nothing); the issue asks for a second, and runs here took
0.01-0.44 s."""

import asyncio
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.settings import Settings
from tests.factories import Client, Headers, Json, make_interview, make_person, make_series
from tests.helpers import publish
from tests.operations.serving import Server, serving
from tests.test_cli import REPO, Cli, free_port

pytestmark = pytest.mark.slow

# Debian puts it in /usr/sbin, which may not be on a user's PATH.
VARNISHD = shutil.which("varnishd", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
VCL = REPO / "deploy" / "varnish" / "default.vcl"
# In the foreground, as whoever runs the tests (-j none), with room for the keys' headers.
OPTIONS = [
    *shlex.split(
        "-F -j none -T none -s malloc,64m"
        " -p http_resp_hdr_len=32k -p http_resp_size=96k -p workspace_backend=256k"
    ),
    *("-p", f"vcl_path={VCL.parent}"),  # for its include of colloquy.vcl
]
WAIT_SECONDS = 10.0  # for what must happen at once: setting up, the worker catching up

if VARNISHD is None and not os.environ.get("CI"):
    pytest.skip(
        "varnishd is not installed (Debian: apt-get install varnish varnish-modules; "
        ".ci/run installs them)",
        allow_module_level=True,
    )


@pytest.fixture
async def service(settings: Settings, tmp_path: Path, varnish_port: int) -> AsyncIterator[Server]:
    """`colloquy serve` on the test database, its worker purging the Varnish below."""
    env = {
        "DATABASE_URL": settings.database_url or "",
        "COLLOQUY_BASE_URL": settings.base_url,
        "COLLOQUY_PURGE_TARGETS": f"varnish:http://127.0.0.1:{varnish_port}/",
    }
    async with serving(Cli(tmp_path / "data"), tmp_path, "--no-migrate", **env) as server:
        await server.wait_ready()
        yield server


@pytest.fixture
def varnish_port() -> int:
    return free_port()


@pytest.fixture
def varnish(service: Server, varnish_port: int, tmp_path: Path) -> Iterator[str]:
    """varnishd in the foreground with the shipped VCL, its backend the service; its URL."""
    assert VARNISHD is not None, "varnishd is not installed, and CI must run this test"
    backend = service.base_url.rsplit(":", 1)[1]
    vcl = tmp_path / "default.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend}";'))
    where = ["-n", str(tmp_path / "varnish"), "-a", f"127.0.0.1:{varnish_port}", "-f", str(vcl)]
    command = [VARNISHD, *where, *OPTIONS]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{varnish_port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
async def reader(varnish: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of Varnish, once it answers."""
    async with httpx.AsyncClient(base_url=varnish, timeout=WAIT_SECONDS) as client:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                if (await client.get("/health/live")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "varnishd did not answer"
            await asyncio.sleep(0.05)
        yield client


async def settled(db: asyncpg.Connection) -> None:
    """Wait until the service's worker has dispatched every event and sent every purge."""
    deadline = time.monotonic() + WAIT_SECONDS
    while await db.fetchval(
        "SELECT (SELECT count(*) FROM events WHERE dispatched_at IS NULL)"
        " + (SELECT count(*) FROM purges)"
    ):
        assert time.monotonic() < deadline, "the worker did not catch up"
        await asyncio.sleep(0.05)


async def cached(reader: httpx.AsyncClient, path: str) -> httpx.Response:
    """The path, fetched until Varnish answers it from its cache."""
    for _ in range(3):
        response = await reader.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if response.headers["x-cache"] == "HIT":
            return response
    raise AssertionError(f"{path} is not cached: {response.headers}")


async def test_a_publication_reaches_readers_through_varnish_and_nothing_else_is_purged(
    client: Client,
    editor: Headers,
    interview: Json,
    series: Json,
    db: asyncpg.Connection,
    reader: httpx.AsyncClient,
) -> None:
    elsewhere = await make_series(client, editor, title="Elsewhere")
    asker, guest = await make_person(client, editor, "Ann"), await make_person(client, editor, "Bo")
    unrelated = await publish(
        client, editor, await make_interview(client, editor, elsewhere, asker, guest)
    )
    await settled(db)
    series_feed = f"/feeds/series/{series['slug']}.rss"
    watched = ["/content/v1/frontpage", "/feeds/all.rss", "/feeds/all.json", series_feed]
    before = {path: (await cached(reader, path)).text for path in watched}
    unrelated_page = f"/content/v1/interviews/{unrelated['slug']}"
    kept = await cached(reader, unrelated_page)
    card = f"/content/v1/interviews/{interview['slug']}/card"
    assert (await reader.get(card)).status_code == 404

    await publish(client, editor, interview)
    published = time.monotonic()
    changed: dict[str, float] = {}
    while len(changed) < len(watched) + 1 and time.monotonic() - published < WAIT_SECONDS:
        for path in [*watched, card]:
            if path not in changed:
                response = await reader.get(path)
                if response.status_code == 200 and interview["title"] in response.text:
                    changed[path] = time.monotonic() - published
        await asyncio.sleep(0.02)
    print({path: f"{seconds:.3f} s" for path, seconds in changed.items()})
    assert set(changed) == {*watched, card}, f"unchanged: {set(watched) - set(changed)}"
    assert all(interview["title"] not in text for text in before.values())

    still = await reader.get(unrelated_page)
    assert still.headers["x-cache"] == "HIT", "the unrelated interview's page was purged"
    assert still.headers["x-varnish"].split()[1] == kept.headers["x-varnish"].split()[1]
