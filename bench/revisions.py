"""Benchmark what revisions cost: 1,000 edits of a 5,000-word interview.

    .venv/bin/python bench/revisions.py                    (1,000 edits, a save every 10 s)
    .venv/bin/python bench/revisions.py --edits 200 --every 30

Starts an embedded PostgreSQL and drives the app in process (httpx over ASGI, as the tests do)
through the Admin API: one draft of 100 blocks of 50 words, then PATCHes that each change one
word of one block and send the whole body with If-Match, as an editor's autosave would. The app's
clock moves `--every` seconds per save. Runs twice: with folding off (every save a revision of its
own) and on (the default window, COLLOQUY_REVISION_FOLD_SECONDS=120). Prints the size on disk of
the revisions table (pg_total_relation_size: heap, TOAST and index), bytes per revision, and
the time per PATCH (p50, p99) as the client sees it.
"""

import argparse
import asyncio
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from app.auth import Role, issue_token  # noqa: E402
from app.clock import Clock  # noqa: E402
from app.db import create_pool, migrate  # noqa: E402
from app.embedded import EmbeddedPostgres  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402

BLOCKS, WORDS_PER_BLOCK = 100, 50
# Words of English prose, so that the body compresses as text does rather than as repeats.
PROSE = (
    "the of and to in a is that for it as was with be by on not he I this are or his from at "
    "which but have an they you were her she there been one all we their has would when if so "
    "no will more said who what about out up them into could time only then some these than "
    "other city river school years people border family village market history language music "
    "winter summer morning evening letter station country mother father brother sister friend "
    "question answer story book paper photograph archive museum church bridge road mountain"
)
VOCABULARY = PROSE.split()


class SteppingClock(Clock):
    """A clock that stands still until the benchmark moves it."""

    def __init__(self) -> None:
        self.current = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


def prose(words: random.Random, count: int) -> str:
    return " ".join(words.choice(VOCABULARY) for _ in range(count)).capitalize() + "."


async def run(url: str, fold_seconds: int, edits: int, every: float) -> dict[str, float]:
    pool = await create_pool(url, 4)
    clock = SteppingClock()
    try:
        await pool.execute("TRUNCATE interview_revisions, interviews, people, series CASCADE")
        _, secret = await issue_token(pool, "bench editor", Role.editor, clock.now())
        settings = Settings(database_url=url, revision_fold_seconds=fold_seconds)
        app = create_app(settings, pool=pool, clock=clock)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        headers = {"Authorization": f"Bearer {secret}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            interview = await _seed(client, headers)
            times = await _edit(client, headers, interview, clock, edits, every)
        row = await pool.fetchrow(
            """
            SELECT pg_total_relation_size('interview_revisions') AS size, count(*) AS revisions,
                   avg(octet_length(state::text)) AS json_bytes
              FROM interview_revisions
            """
        )
        # What folded saves left behind (old versions of the row) is reclaimed by vacuum.
        await pool.execute("VACUUM FULL interview_revisions")
        compact = await pool.fetchval("SELECT pg_total_relation_size('interview_revisions')")
    finally:
        await pool.close()
    times.sort()
    return {
        "size": row["size"],
        "compact": compact,
        "revisions": row["revisions"],
        "json_bytes": float(row["json_bytes"]),
        "p50": statistics.median(times) * 1000,
        "p99": times[min(len(times) - 1, round(len(times) * 0.99))] * 1000,
    }


async def _seed(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    series = await post("/admin/v1/series", {"title": "Thursday Interview"})
    host = await post("/admin/v1/people", {"name": "Lauri Nikulainen"})
    guest = await post("/admin/v1/people", {"name": "Murad Muradov"})
    words = random.Random(11)
    body = [
        {
            "type": "question" if index % 2 == 0 else "answer",
            "speaker_id": (host if index % 2 == 0 else guest)["id"],
            "text": prose(words, WORDS_PER_BLOCK),
        }
        for index in range(BLOCKS)
    ]
    participants = [
        {"person_id": host["id"], "role": "interviewer"},
        {"person_id": guest["id"], "role": "interviewee"},
    ]
    return await post(
        "/admin/v1/interviews",
        {
            "series_id": series["id"],
            "title": "A long conversation",
            "participants": participants,
            "body": body,
        },
    )


async def _edit(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    interview: dict[str, Any],
    clock: SteppingClock,
    edits: int,
    every: float,
) -> list[float]:
    """Change one word of one block per save; the time each PATCH takes."""
    words = random.Random(12)
    times = []
    for edit in range(edits):
        clock.current += timedelta(seconds=every)
        body = interview["body"]
        block = body[edit % len(body)]
        changed = block["text"].split(" ")
        changed[words.randrange(len(changed) - 1)] = words.choice(VOCABULARY)
        body[edit % len(body)] = {**block, "text": " ".join(changed)}
        started = time.perf_counter()
        response = await client.patch(
            f"/admin/v1/interviews/{interview['id']}",
            json={"body": body},
            headers={**headers, "If-Match": f'"v{interview["version"]}"'},
        )
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        interview = response.json()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--every", type=float, default=10, help="seconds between saves")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="colloquy-bench-") as folder:
        data_dir = Path(folder)
        data_dir.chmod(0o755)
        with EmbeddedPostgres(data_dir).running() as url:
            migrate(url)
            results = {
                "folding off": asyncio.run(run(url, 0, args.edits, args.every)),
                "folding on (120 s)": asyncio.run(run(url, 120, args.edits, args.every)),
            }
    words = BLOCKS * WORDS_PER_BLOCK
    print(
        f"{args.edits:,} PATCHes of a {words:,}-word interview ({BLOCKS} blocks), a save every "
        f"{args.every:g} s, Python {platform.python_version()}, app in process, embedded "
        "PostgreSQL"
    )
    print(
        f"{'':20} {'revisions':>9} {'on disk':>9} {'vacuumed':>9} {'bytes/rev':>10} "
        f"{'JSON/rev':>9} {'PATCH p50':>10} {'p99':>8}"
    )
    for name, r in results.items():
        size, compact = r["size"] / 1e6, r["compact"] / 1e6
        print(
            f"{name:20} {r['revisions']:>9,} {size:>6.2f} MB {compact:>6.2f} MB "
            f"{r['compact'] / r['revisions']:>10,.0f} {r['json_bytes']:>9,.0f} "
            f"{r['p50']:>7.1f} ms {r['p99']:>5.1f} ms"
        )
    print("on disk: pg_total_relation_size as the edits left it; vacuumed: after VACUUM FULL;")
    print("bytes/rev: vacuumed size per revision; JSON/rev: a revision's interview as JSON text")


if __name__ == "__main__":
    main()
