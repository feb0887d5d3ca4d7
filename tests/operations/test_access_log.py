"""One access record per request, its request id in every record and in X-Request-Id."""

import asyncio
import io
import logging
import os
from collections.abc import AsyncIterator, Callable

import asyncpg
import httpx
import pytest

from app.auth import Role
from app.cache import PublicCache
from app.logs import FLUSH_SECONDS, PIPE_BUF, LineHandler, LineWriter, request_id
from app.main import create_app
from app.settings import Settings
from tests.conftest import MovableClock, bearer
from tests.content import World
from tests.logs import Log

PROXY = "10.1.0.5"


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, base_url="https://news.example", trusted_proxies=(PROXY,)
    )


@pytest.fixture
async def app(
    settings: Settings, pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection, log: Log
) -> AsyncIterator[PublicCache]:
    service = create_app(settings, pool=pool, clock=clock, log=log.writer)
    service.freshness.listening = True  # no change notices needed: nothing here is edited twice
    yield service


def client_from(app: PublicCache, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(host, 40_000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_cache_hit_and_a_miss_are_each_one_record(
    app: PublicCache, log: Log, db: asyncpg.Connection, clock: MovableClock
) -> None:
    editor = await bearer(db, Role.editor, clock)
    async with client_from(app, "192.0.2.10") as client:
        interview = await World(client, editor).published(
            "Thursday Interview", "Lauri Nikulainen", "Murad Muradov"
        )
        log.records()  # what the set-up wrote
        log.stream.seek(0)
        log.stream.truncate()
        path = f"/content/v1/interviews/{interview['slug']}/card"
        headers = {"User-Agent": "reader/1.0"}
        first = await client.get(path, headers=headers)
        second = await client.get(path, headers=headers)
    miss, hit = log.access()
    assert (miss["cache"], hit["cache"]) == ("miss", "hit")
    for record, response in ((miss, first), (hit, second)):
        assert record["request_id"] == response.headers["x-request-id"]
        assert record["method"] == "GET"
        assert record["route"] == "/content/v1/interviews/{slug}/card"
        assert record["path"] == path
        assert record["status"] == 200
        assert record["bytes"] == int(response.headers["content-length"])  # as sent
        assert record["duration_ms"] >= 0
        assert record["client"] == "192.0.2.10"
        assert record["user_agent"] == "reader/1.0"
        assert record["token_id"] is None
    assert miss["request_id"] != hit["request_id"]


async def test_an_admin_request_names_its_token_never_the_secret(
    app: PublicCache, log: Log, db: asyncpg.Connection, clock: MovableClock
) -> None:
    editor = await bearer(db, Role.editor, clock)
    token_id = await db.fetchval("SELECT id FROM tokens")
    async with client_from(app, "192.0.2.10") as client:
        await client.get("/admin/v1/series", headers=editor)
        await client.get("/admin/v1/calendar.ics?token=cq_secret_value&series=x")
    listed, calendar = log.access()
    assert listed["token_id"] == str(token_id)
    assert listed["route"] == "/admin/v1/series"
    assert calendar["query"] == "token=…&series=x"
    written = log.stream.getvalue()
    assert "cq_secret_value" not in written
    assert editor["Authorization"].removeprefix("Bearer ") not in written


async def test_an_unknown_path_is_one_route_for_the_metrics(app: PublicCache, log: Log) -> None:
    async with client_from(app, "192.0.2.10") as client:
        for n in range(3):
            assert (await client.get(f"/nothing/{n}")).status_code == 404
    assert {r["route"] for r in log.access()} == {"unmatched"}


@pytest.mark.parametrize(
    ("peer", "sent", "kept"),
    [
        (PROXY, "edge-4f2a9c", True),
        ("192.0.2.10", "edge-4f2a9c", False),  # anyone else could forge it
        (PROXY, 'x" forged="1', False),  # not a sane id
        (PROXY, "x" * 200, False),
    ],
)
async def test_a_request_id_is_taken_only_from_a_trusted_proxy(
    app: PublicCache, log: Log, peer: str, sent: str, kept: bool
) -> None:
    async with client_from(app, peer) as client:
        response = await client.get("/health/live", headers={"X-Request-Id": sent})
    assert (response.headers["x-request-id"] == sent) is kept
    [record] = log.access()
    assert record["request_id"] == response.headers["x-request-id"]


async def test_the_client_behind_a_trusted_proxy_is_logged(app: PublicCache, log: Log) -> None:
    async with client_from(app, PROXY) as client:
        await client.get("/health/live", headers={"X-Forwarded-For": "2001:db8::7"})
    assert log.access()[0]["client"] == "2001:db8::7"


def test_records_made_while_serving_carry_the_request_id(log: Log) -> None:
    logger = logging.getLogger("colloquy.test")
    logger.addHandler(LineHandler(log.writer, as_json=True))
    logger.propagate = False
    try:
        token = request_id.set("abc123")
        logger.warning("delivery failed", extra={"target": "https://hooks.example"})
        request_id.reset(token)
        logger.warning("between requests")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    during, after = log.records()
    assert during["request_id"] == "abc123"
    assert during["target"] == "https://hooks.example"
    assert (during["level"], during["message"]) == ("warning", "delivery failed")
    assert after["request_id"] is None


def test_text_lines_read_as_a_person_would() -> None:
    stream = io.StringIO()
    writer = LineWriter(stream, as_json=False)
    logger = logging.getLogger("colloquy.text")
    logger.addHandler(LineHandler(writer, as_json=False))
    logger.propagate = False
    try:
        logger.error("database unavailable", extra={"pause": 2.0})
    finally:
        logger.handlers.clear()
        logger.propagate = True
    [line] = stream.getvalue().splitlines()
    assert "ERROR" in line and "colloquy.text database unavailable" in line
    assert line.endswith("pause=2.0")


async def test_a_busy_writer_keeps_one_flush_timer_and_loses_no_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lines go out as the buffer fills; what is left waits for the one timer, not for a new
    timer after each write; once that timer has written them, the next line sets another."""
    loop = asyncio.get_running_loop()
    timers: list[Callable[[], object]] = []

    def kept(delay: float, callback: Callable[[], object]) -> None:
        assert delay == FLUSH_SECONDS
        timers.append(callback)

    monkeypatch.setattr(loop, "call_later", kept)
    read, write = os.pipe()
    writer = LineWriter(write, as_json=True)
    line = b'{"message":"request","path":"/feeds/all.atom"}\n'
    count = 3 * PIPE_BUF // len(line)
    for _ in range(count):
        writer.write(line)
    assert len(timers) == 1
    timers[0]()  # the timer fires
    writer.write(line)
    assert len(timers) == 2
    timers[1]()
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        assert pipe.read() == line * (count + 1)
