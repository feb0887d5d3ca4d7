"""`colloquy serve` under RSGI, for real: the app's lifespan runs (ready means the change
listener is connected), hits, misses, writes and 304s are answered, and SIGTERM drains and stops
it cleanly."""

import json
import signal
from pathlib import Path

import httpx
import pytest

from tests.operations.serving import serving
from tests.operations.test_drain import readiness_turns_503
from tests.test_cli import SECRET, Cli

pytestmark = pytest.mark.slow


def access_records(printed: str) -> list[dict[str, str]]:
    records = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    return [record for record in records if record.get("logger") == "colloquy.access"]


async def test_serve_answers_hits_misses_writes_and_304s_then_stops_on_sigterm(
    cli: Cli, tmp_path: Path
) -> None:
    async with serving(
        cli, tmp_path, COLLOQUY_DRAIN_SECONDS="1", COLLOQUY_LOG_FORMAT="json"
    ) as server:
        await server.wait_ready()
        secret = SECRET.search(server.printed())
        assert secret is not None
        admin = {"Authorization": f"Bearer {secret.group()}"}
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as api:
            created = await api.post(
                "/admin/v1/series",
                json={"title": "Over RSGI", "visibility": "public"},
                headers=admin,
            )
            assert created.status_code == 201, created.text
            assert created.json()["title"] == "Over RSGI"
            path = f"/content/v1/series/{created.json()['slug']}"
            miss = await api.get(path)
            hit = await api.get(path)
            head = await api.head(path)
            not_modified = await api.get(path, headers={"If-None-Match": hit.headers["etag"]})
        assert miss.status_code == hit.status_code == head.status_code == 200, hit.text
        assert hit.content == miss.content and hit.json()["title"] == "Over RSGI"
        assert hit.headers["etag"] == miss.headers["etag"]
        assert hit.headers["content-length"] == head.headers["content-length"]
        assert head.content == b""
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == hit.headers["etag"]
        answers = (created, miss, hit, head, not_modified)
        assert len({answer.headers["x-request-id"] for answer in answers}) == len(answers)

        server.process.send_signal(signal.SIGTERM)
        await readiness_turns_503(server)
        assert await server.exit_code() == 0, server.printed()
    records = {r["request_id"]: r for r in access_records(server.printed())}
    caches = [records[answer.headers["x-request-id"]]["cache"] for answer in answers]
    assert caches == [None, "miss", "hit", "hit", "hit"]
    assert "Traceback" not in server.printed()
