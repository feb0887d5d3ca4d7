"""Benchmark the front page and feeds through Varnish (cache hits), beside the service alone
and the tuned nginx of bench/run.py serving the same feed bytes.

    .venv/bin/python bench/varnish.py                   (10,000 interviews, 5 s per row)
    .venv/bin/python bench/varnish.py --interviews 100000 --seconds 10

Seeds an embedded PostgreSQL with bench/seed.sql (triggers off, as bench/search.py does),
starts `colloquy serve` and varnishd with deploy/varnish/default.vcl, both pinned to core 0,
and drives each with wrk -t1 -c32 pinned to core 1. Through Varnish every request after the
first is a hit (the run checks its X-Cache). Every request but nginx's asks gzip. Needs wrk,
nginx, varnish and varnish-modules (Debian packages; installed when missing and running as
root).
"""

import argparse
import asyncio
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402
    ROOT,
    SERVER_CORE,
    Results,
    ensure_tools,
    fetch,
    free_port,
    nginx_rows,
    report,
    wait_ready,
    wrk,
)
from search import seed_without_triggers  # noqa: E402

from app.db import migrate  # noqa: E402
from app.embedded import EmbeddedPostgres  # noqa: E402

VCL = ROOT / "deploy" / "varnish" / "default.vcl"
# In the foreground, as whoever runs it, with room for the keys' headers (see the VCL).
OPTIONS = [
    *shlex.split(
        "-F -j none -T none -s malloc,256m"
        " -p http_resp_hdr_len=32k -p http_resp_size=96k -p workspace_backend=256k"
    ),
    *("-p", f"vcl_path={VCL.parent}"),  # for its include of colloquy.vcl
]
# As browsers ask: Varnish keeps the gzip coding and would unzip for each client that asks none.
GZIP = {"Accept-Encoding": "gzip"}
ENDPOINTS = {
    "front page": "/content/v1/frontpage",
    "series RSS feed": "/feeds/series/series-1.rss",
    "all feed (Atom)": "/feeds/all.atom",
}


def ensure_varnish() -> str:
    found = shutil.which("varnishd", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found is None and os.geteuid() == 0:
        packages = ["varnish", "varnish-modules"]
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True)
        found = shutil.which("varnishd", path="/usr/sbin")
    if found is None:
        sys.exit("install varnish first (Debian: apt-get install varnish varnish-modules)")
    return found


def varnish(varnishd: str, folder: Path, backend: int) -> tuple[subprocess.Popen[bytes], str]:
    vcl = folder / "default.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend}";'))
    port = free_port()
    where = ["-n", str(folder / "varnish"), "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
    command = ["taskset", "-c", SERVER_CORE, varnishd, *where, *OPTIONS]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_ready(f"{base}/health/live")
    return process, base


def rows(varnishd: str, url: str, seconds: int, connections: int) -> Results:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "COLLOQUY_PORT": str(port), "COLLOQUY_BASE_URL": base}
    server = subprocess.Popen(
        ["taskset", "-c", SERVER_CORE, str(ROOT / ".venv" / "bin" / "colloquy"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: Results = {}
    try:
        wait_ready(f"{base}/health/ready")
        with tempfile.TemporaryDirectory(prefix="colloquy-varnish-") as folder:
            cache, front = varnish(varnishd, Path(folder), port)
            try:
                for name, path in ENDPOINTS.items():
                    fetch(base + path, GZIP)  # warm
                    results[name] = wrk(base + path, seconds, connections, GZIP)
                    fetch(front + path, GZIP)
                    _, headers = fetch(front + path, GZIP)
                    assert headers["X-Cache"] == "HIT", f"{path} is not a hit through Varnish"
                    hits = wrk(front + path, seconds, connections, GZIP)
                    results[f"{name} via Varnish (hit)"] = hits
            finally:
                cache.terminate()
                cache.wait(timeout=30)
        feed_bytes, _ = fetch(base + ENDPOINTS["series RSS feed"])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return results | nginx_rows(feed_bytes, seconds, connections)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--interviews", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    ensure_tools()
    varnishd = ensure_varnish()
    with tempfile.TemporaryDirectory(prefix="colloquy-bench-") as folder:
        data_dir = Path(folder)
        data_dir.chmod(0o755)
        with EmbeddedPostgres(data_dir).running() as url:
            migrate(url)
            seconds = asyncio.run(seed_without_triggers(url, args.interviews))
            print(f"seeded {args.interviews:,} interviews in {seconds:.1f} s", flush=True)
            results = rows(varnishd, url, args.seconds, args.connections)
    print(f"{args.connections} connections, {args.seconds} s each")
    report(args.interviews, results)


if __name__ == "__main__":
    main()
