"""The RSGI service in the test's event loop, driven as granian drives it: a hit is the very
answer the ASGI path gives, with its access record; anything else is the ASGI app's answer."""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from app.asgi import Message
from app.cache import PublicCache
from app.main import create_app
from app.rsgi import Exchange, Service
from app.settings import Settings
from tests.cache import published_interviews
from tests.conftest import MovableClock
from tests.logs import Log

PEER = "192.0.2.10"
FEED = "/feeds/all.rss"
JSON = {"content-type": "application/json"}


Sent = dict[str, str] | list[tuple[str, str]]  # a list to send a header twice


class Headers:
    """Request headers as granian's RSGI gives them: lower-case names, str values, and of a
    header sent twice, `get` gives the first."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = [(name.lower(), value) for name, value in headers]

    def __contains__(self, name: str) -> bool:
        return any(key == name for key, _ in self.headers)

    def get(self, name: str, default: Any = None) -> Any:
        return next((value for key, value in self.headers if key == name), default)

    def items(self) -> list[tuple[str, str]]:
        return list(self.headers)


class Request:
    """An RSGI scope."""

    proto = "http"
    http_version = "1.1"
    server = "127.0.0.1:8000"
    scheme = "http"
    authority = None

    def __init__(self, method: str, target: str, headers: Sent, client: str) -> None:
        self.method = method
        self.path, _, self.query_string = target.partition("?")
        sent = list(headers.items()) if isinstance(headers, dict) else headers
        self.headers = Headers([("host", "testserver"), *sent])
        self.client = client


class Protocol:
    """An RSGI HTTP protocol: the body in the chunks given; what the app answered, kept."""

    def __init__(self, chunks: Sequence[bytes] = ()) -> None:
        self.chunks = chunks
        self.read = 0  # chunks the app took
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.body = b""
        self.streamed: list[bytes] | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.read += 1
            yield chunk
        yield b""  # as granian ends a body

    async def client_disconnect(self) -> None:
        await asyncio.Event().wait()  # the client stays

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def response_stream(self, status: int, headers: list[tuple[str, str]]) -> "Protocol":
        self.status, self.headers, self.streamed = status, headers, []
        return self

    async def send_bytes(self, data: bytes) -> None:
        assert self.streamed is not None
        self.streamed.append(data)

    def header(self, name: str) -> str:
        [value] = [v for n, v in self.headers if n == name]
        return value


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
async def app(
    settings: Settings, pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection, log: Log
) -> AsyncIterator[PublicCache]:
    service = create_app(settings, pool=pool, clock=clock, log=log.writer)
    service.freshness.listening = True  # no change notices here: the writes bump the epoch
    yield service


@pytest.fixture
def client(app: PublicCache) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(PEER, 40_000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def rsgi(
    service: Service,
    method: str,
    target: str,
    headers: Sent | None = None,
    chunks: Sequence[bytes] = (),
    client: str = f"{PEER}:40000",
) -> Protocol:
    protocol = Protocol(chunks)
    request = Request(method, target, headers or {}, client)
    await service.__rsgi__(request, protocol)  # type: ignore[arg-type]
    return protocol


async def asgi_raw(
    client: httpx.AsyncClient, method: str, target: str, **headers: str
) -> tuple[dict[str, str], int, list[tuple[bytes, bytes]], bytes]:
    """The request's headers as sent; the status, headers and body answered, as sent (the body
    not decoded)."""
    request = client.build_request(method, target, headers=headers)
    response = await client.send(request, stream=True)
    body = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return dict(request.headers), response.status_code, response.headers.raw, body


def without_request_id(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers if name != b"x-request-id"]


async def a_cached_feed(client: httpx.AsyncClient, editor: dict[str, str]) -> str:
    await published_interviews(client, editor, 2, 2000)  # long enough to be compressed too
    assert (await client.get(FEED)).status_code == 200  # rendered and kept
    return FEED


async def test_a_hit_is_the_answer_the_asgi_path_gives_byte_for_byte(
    app: PublicCache, client: httpx.AsyncClient, editor: dict[str, str], log: Log
) -> None:
    path = await a_cached_feed(client, editor)
    _, _, first, _ = await asgi_raw(client, "GET", path)
    etag, last_modified = dict(first)[b"etag"].decode(), dict(first)[b"last-modified"].decode()
    service = Service(app)
    cases: list[tuple[str, dict[str, str]]] = [
        ("GET", {"accept-encoding": "identity"}),
        ("GET", {"accept-encoding": "gzip, br"}),
        ("GET", {"accept-encoding": "gzip"}),
        ("HEAD", {"accept-encoding": "br"}),
        ("GET", {"if-none-match": etag}),
        ("GET", {"if-none-match": '"other"', "if-modified-since": last_modified}),
        ("GET", {"if-modified-since": last_modified}),
    ]
    for method, headers in cases:
        request, status, sent, body = await asgi_raw(client, method, path, **headers)
        hits, misses = app.hits, app.misses
        answered = await rsgi(service, method, path, request)
        assert (app.hits, app.misses) == (hits + 1, misses), "a hit, never rendered"
        assert answered.status == status, (method, headers)
        encoded = [(name.encode(), value.encode()) for name, value in answered.headers]
        assert encoded[-1][0] == b"x-request-id"
        assert without_request_id(encoded) == without_request_id(sent), (method, headers)
        assert answered.body == body, (method, headers)


async def test_a_hit_leaves_its_access_record(
    app: PublicCache, client: httpx.AsyncClient, editor: dict[str, str], log: Log
) -> None:
    path = await a_cached_feed(client, editor)
    log.access()
    log.stream.seek(0)
    log.stream.truncate()
    answered = await rsgi(Service(app), "GET", f"{path}?", {"user-agent": "reader/1.0"})
    [record] = log.access()
    assert record["request_id"] == answered.header("x-request-id")
    assert record["cache"] == "hit"
    assert record["route"] == "/feeds/{file}"
    assert (record["method"], record["path"], record["status"]) == ("GET", path, 200)
    assert record["bytes"] == len(answered.body) == int(answered.header("content-length"))
    assert record["client"] == PEER
    assert record["user_agent"] == "reader/1.0"
    counted = app.telemetry.metrics.counted[("/feeds/{file}", "GET", 200)]
    assert counted._value.get() >= 1


@pytest.fixture
def behind_proxy(
    settings: Settings, pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection, log: Log
) -> PublicCache:
    """The service behind a proxy at PEER (and at 2001:db8::1), which it trusts."""
    trusted = (f"{PEER}/32", "2001:db8::1/128")
    app = create_app(
        msgspec.structs.replace(settings, trusted_proxies=trusted), pool=pool, clock=clock,
        log=log.writer,
    )  # fmt: skip
    app.freshness.listening = True
    return app


async def cached_behind(app: PublicCache, editor: dict[str, str], log: Log) -> str:
    """A feed the cache holds; the log emptied."""
    transport = httpx.ASGITransport(app=app, client=(PEER, 40_000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        path = await a_cached_feed(client, editor)
    log.access()
    log.stream.seek(0)
    log.stream.truncate()
    return path


async def test_a_hit_behind_a_trusted_proxy_is_recorded_as_the_asgi_path_records_it(
    behind_proxy: PublicCache, log: Log, editor: dict[str, str]
) -> None:
    path = await cached_behind(behind_proxy, editor, log)
    sent = {
        "x-forwarded-for": "203.0.113.7, 198.51.100.2",
        "forwarded": "for=198.51.100.9",
        "x-request-id": "edge-42",
        "user-agent": "reader/2.0",
        "accept-language": "en",
    }
    answered = await rsgi(Service(behind_proxy), "GET", path, sent)
    [record] = log.access()
    assert record["cache"] == "hit"
    assert answered.header("x-request-id") == record["request_id"] == "edge-42"
    assert record["client"] == "198.51.100.9"  # Forwarded wins over X-Forwarded-For
    assert record["user_agent"] == "reader/2.0"


async def test_headers_sent_twice_are_read_alike_by_a_hit_and_a_miss(
    behind_proxy: PublicCache, log: Log, editor: dict[str, str]
) -> None:
    path = await cached_behind(behind_proxy, editor, log)
    sent = [
        ("x-request-id", "edge-1"),
        ("user-agent", "reader/1"),
        ("x-request-id", "edge-2"),
        ("user-agent", "reader/2"),
    ]
    service = Service(behind_proxy)
    await rsgi(service, "GET", path, sent)
    await rsgi(service, "GET", "/content/v1/frontpage", sent)
    hit, miss = log.access()
    assert (hit["cache"], miss["cache"]) == ("hit", "miss")
    for record in (hit, miss):
        assert (record["request_id"], record["user_agent"]) == ("edge-1", "reader/1")


async def test_a_hit_from_an_ipv6_peer_names_it(
    behind_proxy: PublicCache, log: Log, editor: dict[str, str]
) -> None:
    path = await cached_behind(behind_proxy, editor, log)
    service = Service(behind_proxy)
    await rsgi(service, "GET", path, {"x-request-id": "edge-6"}, client="[2001:db8::1]:40000")
    await rsgi(service, "GET", path, {"x-request-id": "edge-7"}, client="[2001:db8::2]:40000")
    trusted, other = log.access()
    assert (trusted["client"], trusted["request_id"]) == ("2001:db8::1", "edge-6")
    assert other["client"] == "2001:db8::2"
    assert other["request_id"] != "edge-7"  # not a proxy we trust


async def test_a_miss_is_the_apps_answer_and_is_kept_for_the_next(
    app: PublicCache, client: httpx.AsyncClient, editor: dict[str, str], log: Log
) -> None:
    path = await a_cached_feed(client, editor)
    service = Service(app)
    assert path == FEED
    feed = await rsgi(service, "GET", "/feeds/all.atom")
    assert feed.status == 200
    assert feed.header("content-type").startswith("application/atom+xml")
    assert (await rsgi(service, "GET", "/feeds/all.atom")).body == feed.body
    assert [r["cache"] for r in log.access()][-2:] == ["miss", "hit"]


async def test_a_body_reaches_the_app_in_its_chunks(
    app: PublicCache, editor: dict[str, str]
) -> None:
    body = json.dumps({"title": "Sent in three pieces", "visibility": "public"}).encode()
    chunks = [body[:5], body[5:20], body[20:]]
    created = await rsgi(Service(app), "POST", "/admin/v1/series", {**editor, **JSON}, chunks)
    assert created.status == 201, created.body
    assert json.loads(created.body)["title"] == "Sent in three pieces"


async def test_a_body_over_the_limit_is_refused_before_it_is_all_read(
    app: PublicCache, settings: Settings, editor: dict[str, str]
) -> None:
    chunk = b" " * 16_384
    chunks = [chunk] * (2 * settings.max_body_bytes // len(chunk))
    protocol = await rsgi(Service(app), "POST", "/admin/v1/series", {**editor, **JSON}, chunks)
    assert protocol.status == 413, protocol.body
    assert protocol.read < len(chunks)


async def test_a_streamed_answer_is_streamed() -> None:
    protocol = Protocol()
    exchange = Exchange(protocol)  # type: ignore[arg-type]
    messages: list[Message] = [
        {"type": "http.response.start", "status": 200, "headers": [(b"x-part", b"\xc3\xa9")]},
        {"type": "http.response.body", "body": b"one", "more_body": True},
        {"type": "http.response.body", "body": b"", "more_body": True},
        {"type": "http.response.body", "body": b"two"},
    ]
    for message in messages:
        await exchange.send(message)
    assert (protocol.status, protocol.headers) == (200, [("x-part", "é")])
    assert protocol.streamed == [b"one", b"two"]


async def test_the_body_then_a_disconnect_is_what_the_app_receives() -> None:
    exchange = Exchange(Protocol([b"ab", b"c"]))  # type: ignore[arg-type]
    received = [await exchange.receive() for _ in range(3)]
    assert received == [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"c", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": False},
    ]
    waiting = asyncio.create_task(exchange.receive())
    await asyncio.sleep(0)
    assert not waiting.done(), "the client is still there"
    waiting.cancel()
