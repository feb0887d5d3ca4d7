"""Benchmark the hot paths against nginx serving the same bytes.

    make bench                               (or: .venv/bin/python bench/run.py --sizes 1000,100000)

For each archive size: seed it with SQL, start `colloquy serve` pinned to core 0, drive it with
wrk pinned to core 1, and print requests/s with p50/p99 latency per endpoint; then serve the
very same feed bytes from nginx (also on core 0), tuned as people run it for static files
(sendfile, tcp_nopush, 100,000 requests per keep-alive connection), and print each ratio
against it. nginx with its defaults is measured too, labelled, for comparison with older runs.
The 304 once more with the access log off, as the reference nginx runs; then COLLOQUY_WORKERS=1
against 2 (nothing pinned), and the worker's webhook deliveries per second (bench/deliveries.py).
Needs wrk and nginx (Debian packages; installed when missing and running as root).
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from app.db import migrate  # noqa: E402
from app.embedded import EmbeddedPostgres  # noqa: E402

SERVER_CORE, LOAD_CORE = "0", "1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ensure_tools() -> None:
    missing = [tool for tool in ("wrk", "nginx") if not shutil.which(tool)]
    if missing and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk", "nginx-light"], check=True)
    elif missing:
        sys.exit(f"install {' and '.join(missing)} first (Debian: apt-get install wrk nginx-light)")


async def guests(url: str, count: int) -> list[str]:
    """Slugs of people who were interviewed, for the person feeds."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            """
            SELECT DISTINCT p.slug
              FROM interview_participants ip JOIN people p ON p.id = ip.person_id
             WHERE ip.role = 'interviewee' ORDER BY p.slug LIMIT $1
            """,
            count,
        )
    finally:
        await connection.close()
    return [row["slug"] for row in rows]


async def seed(url: str, interviews: int) -> float:
    script = (HERE / "seed.sql").read_text()
    sizes = {"series": 50, "people": 20_000, "interviews": interviews}
    script = re.sub(r"(?<!:):(series|people|interviews)\b", lambda m: str(sizes[m[1]]), script)
    started = time.perf_counter()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(script)
        # As autovacuum leaves a live archive: statistics, and the visibility map that lets
        # index-only scans skip the table (VACUUM cannot run inside the script's transaction).
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()
    return time.perf_counter() - started


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def wrk(
    url: str,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    pinned: bool = True,
) -> dict[str, float]:
    command = ["taskset", "-c", LOAD_CORE] if pinned else []
    command += [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]

    def latency(percent: str) -> float:
        value, unit = re.search(rf"{percent}%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"),
            "errors": float(non_2xx[1]) if non_2xx else 0.0}  # fmt: skip


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), dict(response.headers)


def cold_renders(base: str, paths: list[str]) -> list[float]:
    """First renders, each path once on an empty cache."""
    times = []
    for path in paths:
        started = time.perf_counter()
        fetch(base + path)
        times.append((time.perf_counter() - started) * 1000)
    return times


# How people serve static files with nginx; without it, nginx's defaults.
TUNED = "sendfile on; tcp_nopush on; keepalive_requests 100000;"


def nginx(root: Path, port: int, tuning: str) -> subprocess.Popen[bytes]:
    config = root / "nginx.conf"
    config.write_text(f"""
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/rss+xml;
    {tuning}
    server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
""")
    process = subprocess.Popen(["taskset", "-c", SERVER_CORE, "nginx", "-c", str(config)])
    wait_ready(f"http://127.0.0.1:{port}/feed.rss")
    return process


Results = dict[str, dict[str, float]]
REFERENCE = "nginx tuned, same feed bytes"
NOT_AGAINST_NGINX = {"webhook deliveries (per s)"}


def measured(times: list[float]) -> dict[str, float]:
    return {"rps": 0.0, "p50": statistics.median(times), "p99": max(times), "errors": 0.0}


def run_size(url: str, interviews: int, seconds: int, connections: int) -> Results:
    print(f"\n== {interviews:,} interviews: seeding ...", flush=True)
    print(f"seeded in {asyncio.run(seed(url, interviews)):.1f} s", flush=True)
    people = asyncio.run(guests(url, 21))
    env = {**os.environ, "DATABASE_URL": url}
    with serving(env, migrate=True) as base:
        results = public_rows(base, people, seconds, connections)
        results |= admin_rows(base, url, admin_token(env), seconds, connections)
        feed_bytes, _ = fetch(base + "/feeds/series/series-1.rss")
    results |= unlogged_rows(env, seconds, connections)
    results |= worker_rows(env, seconds, connections)
    results |= nginx_rows(feed_bytes, seconds, connections)
    print(f"feed size {len(feed_bytes):,} bytes; {connections} connections, {seconds} s each")
    return results


def public_rows(base: str, people: list[str], seconds: int, connections: int) -> Results:
    cold_paths = {
        "cold: series feed": [f"/feeds/series/series-{n}.rss" for n in range(1, 21)],
        "cold: person feed": [f"/feeds/people/{slug}.atom" for slug in people[1:]],
        "cold: interview page": [f"/content/v1/interviews/interview-{n}" for n in range(1, 21)],
        "cold: front page": [f"/content/v1/frontpage?size={n}" for n in range(1, 11)],
    }
    results = {name: measured(cold_renders(base, paths)) for name, paths in cold_paths.items()}
    endpoints = {
        "series RSS feed": "/feeds/series/series-1.rss",
        "all feed (Atom)": "/feeds/all.atom",
        "front page": "/content/v1/frontpage",
        "card": "/content/v1/interviews/interview-1/card",
        "interview page": "/content/v1/interviews/interview-1",
        "person feed (JSON)": f"/feeds/people/{people[0]}.json",
        "search (warm)": "/content/v1/search?q=visit",
    }
    for name, path in endpoints.items():
        fetch(base + path)  # warm
        results[name] = wrk(base + path, seconds, connections)
    for name, path in (
        ("conditional GET -> 304", endpoints["series RSS feed"]),
        ("front page -> 304", endpoints["front page"]),
    ):
        _, headers = fetch(base + path)
        results[name] = wrk(base + path, seconds, connections, {"If-None-Match": headers["etag"]})
    return results


def unlogged_rows(env: dict[str, str], seconds: int, connections: int) -> Results:
    """The 304 again with the access log off (COLLOQUY_LOG_LEVEL=warning), as the reference nginx
    runs (`access_log off`): what an access record costs a hit."""
    with serving(env, COLLOQUY_LOG_LEVEL="warning") as base:
        path = "/feeds/series/series-1.rss"
        _, headers = fetch(base + path)
        etag = {"If-None-Match": headers["etag"]}
        return {"304, access log off (as nginx)": wrk(base + path, seconds, connections, etag)}


def worker_rows(env: dict[str, str], seconds: int, connections: int) -> Results:
    """COLLOQUY_WORKERS=1 against 2 with nothing pinned: on two cores wrk takes its share from the
    server's, so these rows compare the two settings with each other, not with the rows above."""
    results = {}
    for workers in (1, 2):
        with serving(env, pinned=False, COLLOQUY_WORKERS=str(workers)) as base:
            for name, path in (("series RSS feed", "/feeds/series/series-1.rss"),
                               ("card", "/content/v1/interviews/interview-1/card")):  # fmt: skip
                fetch(base + path)
                results[f"{name}, {workers} worker(s), unpinned"] = wrk(
                    base + path, seconds, connections, pinned=False
                )
    return results


@contextmanager
def serving(
    env: dict[str, str], *, migrate: bool = False, pinned: bool = True, **settings: str
) -> Iterator[str]:
    """`colloquy serve` on a free port (on SERVER_CORE when `pinned`), with these COLLOQUY_
    settings: its base URL, once it is ready, until it is stopped."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(ROOT / ".venv" / "bin" / "colloquy"), "serve"]
    command += [] if migrate else ["--no-migrate"]
    command = ["taskset", "-c", SERVER_CORE, *command] if pinned else command
    server = subprocess.Popen(
        command,
        env={**env, "COLLOQUY_PORT": str(port), "COLLOQUY_BASE_URL": base, **settings},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_ready(f"{base}/health/ready")
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def deliveries_row() -> Results:
    """Webhook deliveries drained per second by the worker (bench/deliveries.py, its defaults);
    req/s here is deliveries/s, against no nginx."""
    output = subprocess.run(
        [sys.executable, str(HERE / "deliveries.py")], capture_output=True, text=True, check=True
    ).stdout
    print(output.strip().splitlines()[-1])
    rate = float(re.search(r"([\d,]+) deliveries/s", output)[1].replace(",", ""))  # type: ignore[index]
    p50, p99 = map(float, re.search(r"p50 (\d+) ms, p99 (\d+) ms", output).groups())  # type: ignore[union-attr]
    return {"webhook deliveries (per s)": {"rps": rate, "p50": p50, "p99": p99, "errors": 0.0}}


def admin_token(env: dict[str, str]) -> str:
    """A new admin token's secret, from the command line as an operator makes one."""
    made = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "colloquy"), "tokens", "create", "--name", "bench",
         "--role", "admin"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return made.stdout.strip().splitlines()[-1]


def admin_rows(base: str, url: str, token: str, seconds: int, connections: int) -> Results:
    """A preview (rendered on every request, never cached) and body edits through the Admin
    API, each connection editing its own published interview. Each run of edits starts once the
    worker has dispatched the events of the run before, so that it is not timed draining them."""
    bearer = {"Authorization": f"Bearer {token}"}
    bodies = interview_bodies(base, bearer, connections)
    request = urllib.request.Request(
        f"{base}/admin/v1/interviews/{next(iter(bodies))}/preview", method="POST", headers=bearer
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        preview = json.loads(response.read())["token"]
    results = {"preview": wrk(f"{base}/content/v1/preview/{preview}", seconds, connections)}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "patch.lua"
        script.write_text(patch_script(bodies, token))
        results["admin PATCH (body edit)"] = wrk(f"{base}/", seconds, connections, script=script)
        asyncio.run(dispatched(url))
        # As many editors at once as a newsroom has, rather than a reader's crowd.
        results[f"admin PATCH, {EDITORS} connections"] = wrk(
            f"{base}/", seconds, EDITORS, script=script
        )
    return results


async def dispatched(url: str, seconds: float = 120) -> None:
    """Wait until the worker has dispatched every event written so far."""
    connection = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + seconds
        while await connection.fetchval("SELECT count(*) FROM events WHERE dispatched_at IS NULL"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"events still undispatched after {seconds} s")
            await asyncio.sleep(0.2)
    finally:
        await connection.close()


BLOCK_FIELDS = ("type", "id", "speaker_id", "text")
EDITORS = 4


def interview_bodies(base: str, bearer: dict[str, str], count: int) -> dict[str, str]:
    """Published interviews: id -> their body's blocks as JSON, without the brackets."""
    answer, _ = fetch(f"{base}/admin/v1/interviews?status=published&limit={count}", bearer)
    return {
        item["id"]: json.dumps(
            [{k: block[k] for k in BLOCK_FIELDS if block.get(k)} for block in item["body"]]
        )[1:-1]
        for item in json.loads(answer)["items"]
    }


def patch_script(bodies: dict[str, str], token: str) -> str:
    """wrk Lua: PATCH the interviews in turn, each time with its body and one paragraph that
    says how many edits there have been (If-Match: * takes any version)."""
    paths = ", ".join(f'"/admin/v1/interviews/{id_}"' for id_ in bodies)
    blocks = ", ".join(f"[[{blocks}]]" for blocks in bodies.values())
    return f"""
local paths = {{{paths}}}
local blocks = {{{blocks}}}
local n = 0
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["If-Match"] = "*"
request = function()
    n = n + 1
    local i = (n % #paths) + 1
    local body = '{{"body": [' .. blocks[i] ..
        ', {{"type": "paragraph", "text": "Edit number ' .. n .. ' by the benchmark."}}]}}'
    return wrk.format(nil, paths[i], nil, body)
end
"""


def nginx_rows(feed_bytes: bytes, seconds: int, connections: int) -> Results:
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        root.chmod(0o755)
        (root / "feed.rss").write_bytes(feed_bytes)
        for name, tuning in ((REFERENCE, TUNED), ("nginx defaults (for comparison)", "")):
            port = free_port()
            process = nginx(root, port, tuning)
            try:
                results[name] = wrk(f"http://127.0.0.1:{port}/feed.rss", seconds, connections)
            finally:
                process.terminate()
                process.wait(timeout=10)
    return results


def report(interviews: int, results: Results) -> None:
    reference = results.get(REFERENCE, {}).get("rps", 0.0)
    print(f"{'endpoint':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs tuned nginx':>15}")
    for name, r in results.items():
        comparable = r["rps"] and reference and name not in NOT_AGAINST_NGINX
        ratio = f"{r['rps'] / reference:.2f}" if comparable else ""
        rps = f"{r['rps']:,.0f}" if r["rps"] else "-"
        errors = f"  ({r['errors']:.0f} errors)" if r["errors"] else ""
        print(f"{name:40} {rps:>9} {r['p50']:>8.2f} {r['p99']:>8.2f} {ratio:>15}{errors}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,100000", help="archive sizes (interviews)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    ensure_tools()
    with tempfile.TemporaryDirectory(prefix="colloquy-bench-") as folder:
        data_dir = Path(folder)
        data_dir.chmod(0o755)
        with EmbeddedPostgres(data_dir).running() as url:
            migrate(url)
            all_results = {}
            for size in (int(s) for s in args.sizes.split(",")):
                all_results[size] = run_size(url, size, args.seconds, args.connections)
                report(size, all_results[size])
    print()
    report(0, deliveries_row())
    if len(all_results) > 1:
        small, large = min(all_results), max(all_results)
        print(f"\np50 latency, {large:,} vs {small:,} interviews:")
        for name in all_results[small]:
            a, b = all_results[small][name]["p50"], all_results[large][name]["p50"]
            print(f"  {name:40} {a:7.2f} ms -> {b:7.2f} ms")


if __name__ == "__main__":
    main()
