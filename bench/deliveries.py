"""Benchmark webhook delivery: how fast the worker drains a backlog to fast local receivers.

    .venv/bin/python bench/deliveries.py                  (2,000 deliveries to one host)
    .venv/bin/python bench/deliveries.py --hosts 5        (spread over 127.0.0.1 ... 127.0.0.5)

Starts an embedded PostgreSQL, writes a backlog of due deliveries (one webhook per host),
starts a receiver in its own process that answers 200 at once, and runs the real worker
(`run_worker`, the service's defaults) until every delivery has settled. Prints deliveries/s,
p50/p99 attempt latency (as the attempt log records it) and the most connections the receiver
saw open at once to any one host.
"""

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from app.clock import Clock  # noqa: E402
from app.db import create_pool, migrate  # noqa: E402
from app.embedded import EmbeddedPostgres  # noqa: E402
from app.events.worker import run_worker  # noqa: E402
from app.settings import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


async def receive(hosts: int, port: int) -> None:
    """The receiver: every host on `port`; prints the most connections open to one host
    when stdin closes."""
    open_now = [0] * hosts
    most = [0] * hosts

    async def serve(host: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        open_now[host] += 1
        most[host] = max(most[host], open_now[host])
        try:
            while await reader.readline():
                length = 0
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                writer.write(ANSWER)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            open_now[host] -= 1
            writer.close()

    servers = [
        await asyncio.start_server(
            lambda r, w, h=host: serve(h, r, w), f"127.0.0.{host + 1}", port, backlog=1024
        )
        for host in range(hosts)
    ]
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for server in servers:
        server.close()
    print(max(most), flush=True)


async def seed(db: asyncpg.Connection, hosts: int, port: int, count: int, now: datetime) -> None:
    event = await db.fetchval(
        """
        INSERT INTO events (type, interview_id, occurred_at, due_at, dispatched_at)
        VALUES ('interview.published', gen_random_uuid(), $1, $1, $1) RETURNING id
        """,
        now,
    )
    webhooks = [
        await db.fetchval(
            """
            INSERT INTO webhooks (url, event_types, secret, created_at, updated_at)
            VALUES ($1, ARRAY['interview.published'], 'whsec_bench', $2, $2) RETURNING id
            """,
            f"http://127.0.0.{host + 1}:{port}/hook",
            now,
        )
        for host in range(hosts)
    ]
    await db.execute(
        """
        INSERT INTO deliveries (event_id, webhook_id, target_url, content_type, body,
                                next_attempt_at, created_at, updated_at)
        SELECT $1, w.id, w.url, 'application/json', convert_to(repeat('x', 600), 'UTF8'),
               $2, $2, $2
          FROM generate_series(1, $3) n
          JOIN webhooks w ON w.id = ($4::uuid[])[1 + n % cardinality($4::uuid[])]
        """,
        event,
        now,
        count,
        webhooks,
    )


async def drain(url: str, hosts: int, port: int, count: int) -> dict[str, float]:
    pool = await create_pool(url, Settings().pool_size)
    settings = Settings(
        database_url=url, base_url="http://bench.example", webhook_allow_private=True
    )
    try:
        async with pool.acquire() as db:
            await seed(db, hosts, port, count, datetime.now(UTC))
            started = time.perf_counter()
            worker = asyncio.create_task(run_worker(pool, Clock(), settings))
            while await db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'pending'"):
                if worker.done():
                    worker.result()
                await asyncio.sleep(0.02)
            took = time.perf_counter() - started
            worker.cancel()
            await asyncio.wait([worker])
            durations = sorted(
                row["duration_ms"]
                for row in await db.fetch("SELECT duration_ms FROM delivery_attempts")
            )
            failed = await db.fetchval(
                "SELECT count(*) FROM deliveries WHERE status <> 'succeeded'"
            )
    finally:
        await pool.close()
    return {
        "seconds": took,
        "rate": count / took,
        "attempts": len(durations),
        "failed": failed,
        "p50": statistics.median(durations),
        "p99": durations[min(len(durations) - 1, round(len(durations) * 0.99))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=2000, help="deliveries in the backlog")
    parser.add_argument("--hosts", type=int, default=1, help="receiver hosts (127.0.0.N)")
    parser.add_argument("--receiver", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.receiver:
        asyncio.run(receive(args.hosts, args.receiver))
        return

    port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, __file__, "--hosts", str(args.hosts), "--receiver", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert receiver.stdin is not None and receiver.stdout is not None
    try:
        assert receiver.stdout.readline().strip() == "ready"
        with tempfile.TemporaryDirectory(prefix="colloquy-bench-") as folder:
            data_dir = Path(folder)
            data_dir.chmod(0o755)
            with EmbeddedPostgres(data_dir).running() as url:
                migrate(url)
                figures = asyncio.run(drain(url, args.hosts, port, args.count))
    finally:
        receiver.stdin.close()
        most_open = receiver.stdout.readline().strip()
        receiver.wait(timeout=10)

    print(
        f"{args.count:,} deliveries to {args.hosts} host(s) on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, worker, PostgreSQL and receiver on this machine"
    )
    print(
        f"drained in {figures['seconds']:.2f} s: {figures['rate']:,.0f} deliveries/s; "
        f"attempt p50 {figures['p50']:.0f} ms, p99 {figures['p99']:.0f} ms; "
        f"{figures['attempts']:,} attempts, {figures['failed']} not succeeded; "
        f"at most {most_open} connections open to one host"
    )


if __name__ == "__main__":
    main()
