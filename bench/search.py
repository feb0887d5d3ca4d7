"""Benchmark search: GET /content/v1/search at 100,000 interviews, against p50 < 20 ms, p99 < 50 ms.

    .venv/bin/python bench/search.py                       (100,000 interviews, 200 requests a kind)
    .venv/bin/python bench/search.py --interviews 10000 --requests 50

Starts an embedded PostgreSQL, seeds it with bench/seed.sql (as bench/run.py does, triggers off),
then gives each interview a paragraph of words drawn from a vocabulary with Zipf's law, so that
words are common, middling or rare as in prose (seed.sql alone writes the same body 100,000
times). Builds the search documents once, timed, then drives the app in process (httpx over
ASGI, without the response cache: every answer is rendered) with one query kind at a time, and
prints p50/p99 per kind and overall as the client sees them, each as a ratio of its target, with
the machine's load before and after (the figures are only as quiet as the machine).
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import seed  # noqa: E402

from app.db import create_pool, migrate  # noqa: E402
from app.embedded import EmbeddedPostgres  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402

TARGET_P50, TARGET_P99 = 20.0, 50.0
VOCABULARY = 5_000
# Word n of the vocabulary is 'w' + n; in Zipf's law its frequency goes as 1/n, which drawing
# floor(VOCABULARY ** random()) gives. Forty words a paragraph.
VARY = f"""
UPDATE interviews i
   SET body = body || jsonb_build_array(jsonb_build_object(
       'type', 'paragraph', 'id', 'p1', 'text',
       (SELECT string_agg('w' || floor({VOCABULARY} ^ random())::int, ' ')
          FROM generate_series(1, 40) WHERE i.id IS NOT NULL)))
"""

# (kind, query string): each kind is asked for in turn, the same query every time.
QUERIES = [
    ("common word (w1, ~99%)", "q=w1"),
    ("common word (w5, ~55%)", "q=w5"),
    ("middling word (w60, ~6%)", "q=w60"),
    ("rare word (w3000, ~0.1%)", "q=w3000"),
    ("seed word in every body", "q=experience"),
    ("phrase", 'q="building trust"'),
    ("name", "q=Person 4242"),
    ("negation", "q=w40 -w2"),
    ("two words", "q=w20 w30"),
    ("with a series filter", "q=w5&series=series-7"),
    ("with a tag filter", "q=w5&tag=tag-11"),
]


async def vary_and_index(url: str) -> tuple[float, float]:
    """Seconds to vary the bodies, and to build every search document."""
    pool = await create_pool(url, 2)
    try:
        async with pool.acquire() as connection:
            await connection.execute("SET session_replication_role = replica")  # triggers off
            await connection.execute("SELECT setseed(0.42)")
            started = time.perf_counter()
            await connection.execute(VARY)
            varied = time.perf_counter() - started
            started = time.perf_counter()
            await connection.execute(
                "SELECT refresh_interview_search(ARRAY(SELECT id FROM interviews))"
            )
            await connection.execute("VACUUM ANALYZE interview_search")
            await connection.execute("VACUUM ANALYZE interviews")
            return varied, time.perf_counter() - started
    finally:
        await pool.close()


async def measure(url: str, requests: int) -> dict[str, list[float]]:
    pool = await create_pool(url, 4)
    try:
        routes = create_app(Settings(database_url=url), pool=pool).app  # no response cache
        transport = httpx.ASGITransport(app=routes)  # type: ignore[arg-type]
        timings: dict[str, list[float]] = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for kind, query in QUERIES:
                path = f"/content/v1/search?{query}&limit=20"
                first = await client.get(path)
                assert first.status_code == 200, first.text
                hits = len(first.json()["items"])
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    response = await client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                timings[f"{kind} [{hits} on page 1]"] = times
        return timings
    finally:
        await pool.close()


def quantiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return statistics.median(times), cuts[98]


def report(timings: dict[str, list[float]]) -> None:
    """p50 and p99 per kind and overall, each also as a ratio of its target (over 1 = missed)."""
    print(f"{'query':55} {'p50 ms':>8} {'p99 ms':>8} {'p50/20':>7} {'p99/50':>7}")
    rows = {**timings, "overall": [t for times in timings.values() for t in times]}
    for kind, times in rows.items():
        p50, p99 = quantiles(times)
        missed = " <- over target" if p50 >= TARGET_P50 or p99 >= TARGET_P99 else ""
        print(
            f"{kind:55} {p50:8.1f} {p99:8.1f} {p50 / TARGET_P50:7.2f} {p99 / TARGET_P99:7.2f}"
            f"{missed}"
        )
    p50, p99 = quantiles(rows["overall"])
    verdict = "met" if p50 < TARGET_P50 and p99 < TARGET_P99 else "MISSED"
    print(f"target p50 < {TARGET_P50:.0f} ms and p99 < {TARGET_P99:.0f} ms: {verdict}")


def load() -> str:
    """The machine's load, to judge the figures by: other work on its cores slows every request."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


async def seed_without_triggers(url: str, interviews: int) -> float:
    """bench/run.py's seed, with the search triggers (and every other) off in its session: they
    would build each document four times over (interviews, participants, teasers, quotes)."""
    pool = await create_pool(url, 1)
    try:
        await pool.execute("ALTER DATABASE colloquy SET session_replication_role = replica")
        try:
            return await seed(url, interviews)
        finally:
            await pool.execute("ALTER DATABASE colloquy RESET session_replication_role")
    finally:
        await pool.close()


async def bench(url: str, interviews: int, requests: int) -> None:
    seeded = await seed_without_triggers(url, interviews)
    varied, indexed = await vary_and_index(url)
    print(
        f"{interviews:,} interviews: seeded in {seeded:.1f} s, bodies varied in {varied:.1f} s, "
        f"search documents built in {indexed:.1f} s"
    )
    print(f"before: {load()}")
    timings = await measure(url, requests)
    print(f"after: {load()}")
    report(timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="colloquy-bench-search-") as folder:
        data_dir = Path(folder)
        data_dir.chmod(0o755)
        with EmbeddedPostgres(data_dir).running() as url:
            migrate(url)
            asyncio.run(bench(url, args.interviews, args.requests))


if __name__ == "__main__":
    main()
