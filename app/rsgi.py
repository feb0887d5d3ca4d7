"""The service under granian's RSGI interface, as `colloquy serve` runs it: cache hits are
answered at once, everything else by the ASGI app.

Measured on one core (issue 13), a bare RSGI callable on granian answers ~16% more requests a
second than a bare ASGI one, and a hit is most of what a busy public site serves. So a hit is the
cache's own answer (`PublicCache.hit`, the one place that decides, for ASGI too) handed to
granian in one call, with the headers the entry made as text when it was stored: no ASGI
messages, no wrapped `send`s. It leaves the same access record and metrics as under ASGI.
With CORS origins set, the headers depend on the request's origin, and hits go through the app.

Everything else (misses, writes, admin, health, metrics) is the ASGI app as any ASGI server runs
it: its scope made from RSGI's, its body read from granian in chunks (so that the app's body
limit stops a large one early), its answer sent in one piece, or streamed when the app streams.
The app's lifespan (the pool, the change listener, the worker, the view counter) runs on the
server's loop from start-up to shutdown, as granian runs it for ASGI.

What RSGI cannot carry, and the app does not use: the path as sent (`raw_path`; the routes use
the decoded `path`, the same as under ASGI), and request header values that are not visible
ASCII, which granian leaves out of RSGI's headers.
"""

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

from granian._granian import RSGIHeaders
from granian._granian import RSGIHTTPProtocol as HTTPProtocol  # granian.rsgi's, typed
from granian.asgi import LifespanProtocol
from granian.log import logger as granian_log
from granian.rsgi import Scope

from app import main
from app.asgi import Message
from app.asgi import Scope as AsgiScope
from app.cache import Hit, PublicCache, as_text
from app.telemetry import UNMATCHED, Observation

ASGI_VERSION = {"version": "3.0", "spec_version": "2.3"}


class Service:
    """The ASGI app (the public cache in front of Litestar) as an RSGI app."""

    def __init__(self, app: PublicCache) -> None:
        self.app = app
        self.lifespan = LifespanProtocol(app)  # type: ignore[no-untyped-call]
        self.answers_hits = not app.cors

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.run_until_complete(self.lifespan.startup())  # type: ignore[no-untyped-call]
        if self.lifespan.interrupt:  # as granian does for an ASGI app whose start-up failed
            granian_log.error("ASGI lifespan startup failed", exc_info=self.lifespan.exc)
            sys.exit(1)

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.run_until_complete(self.lifespan.shutdown())  # type: ignore[no-untyped-call]

    async def __rsgi__(self, scope: Scope, protocol: HTTPProtocol) -> None:
        started = time.perf_counter()
        if self.answers_hits:
            hit = self.app.hit(scope.method, scope.path, scope.query_string, scope.headers.get)
            if hit is not None:
                self._answer(scope, protocol, hit, started)
                return
        exchange = Exchange(protocol)
        await self.app(asgi_scope(scope, self.lifespan.state), exchange.receive, exchange.send)

    def _answer(self, scope: Scope, protocol: HTTPProtocol, hit: Hit, started: float) -> None:
        """The cache's answer, with what the ASGI path adds: the request id, the metrics and the
        access record, made from RSGI's scope as it is (no ASGI scope for them to read)."""
        telemetry = self.app.telemetry
        headers = scope.headers
        peer = _host(scope.client)
        observation = Observation(telemetry.request_id(peer, headers.get("x-request-id")), started)
        observation.status, observation.bytes = hit.status, len(hit.body)
        protocol.response_bytes(
            hit.status, [*hit.text, *hit.controls.text, ("x-request-id", observation.id)], hit.body
        )
        route = hit.route or UNMATCHED
        seconds = telemetry.measure(observation, scope.method, route)
        if telemetry.writer is None:
            return
        forwarded = _forwarded(headers) if telemetry.proxies.networks else ()
        telemetry.log(
            observation,
            seconds,
            method=scope.method,
            route=route,
            path=scope.path,
            query=scope.query_string,
            cache="hit",
            client=telemetry.proxies.address(peer, forwarded),
            user_agent=headers.get("user-agent"),
            token_id=None,
        )


def asgi_scope(scope: Scope, state: dict[str, Any]) -> AsgiScope:
    """The ASGI scope granian would have made for this request."""
    headers = [(name.encode(), value.encode()) for name, value in scope.headers.items()]
    if "host" not in scope.headers and scope.authority:  # HTTP/2 says it in :authority
        headers.insert(0, (b"host", scope.authority.encode()))
    return {
        "type": "http",
        "asgi": ASGI_VERSION,
        "http_version": scope.http_version,
        "server": _address(scope.server),
        "client": _address(scope.client),
        "scheme": scope.scheme,
        "method": scope.method,
        "root_path": "",
        "path": scope.path,
        "query_string": scope.query_string.encode(),
        "headers": headers,
        "state": state.copy(),
        "extensions": {},
    }


def _forwarded(headers: RSGIHeaders) -> list[tuple[bytes, bytes]]:
    """The headers a proxy names the client in, as `TrustedProxies.address` reads them."""
    return [
        (name.encode(), value.encode())
        for name, value in headers.items()
        if name in ("forwarded", "x-forwarded-for")
    ]


def _address(text: str) -> tuple[str, int]:
    """`127.0.0.1:8000` or `[::1]:8000` as ASGI's (host, port)."""
    return _host(text), int(text.rpartition(":")[2])


def _host(text: str) -> str:
    """The host of `127.0.0.1:8000` or `[::1]:8000`, without parsing the port, which a hit's
    record does not need."""
    return text.rpartition(":")[0].strip("[]")


class Exchange:
    """One request handed to the ASGI app: its body read from granian, its answer sent back."""

    __slots__ = ("chunks", "protocol", "read", "start", "stream")

    def __init__(self, protocol: HTTPProtocol) -> None:
        self.protocol = protocol
        self.chunks: AsyncIterator[bytes] | None = None
        self.read = False
        self.start: Message | None = None
        self.stream: Any = None

    async def receive(self) -> Message:
        if self.read:  # the app waits for the client to go (a streamed answer watches this)
            await self.protocol.client_disconnect()
            return {"type": "http.disconnect"}
        if self.chunks is None:
            self.chunks = aiter(self.protocol)
        chunk: bytes = await anext(self.chunks, b"")
        self.read = not chunk  # granian ends the body with an empty chunk
        return {"type": "http.request", "body": chunk, "more_body": not self.read}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        body = message.get("body", b"")
        if self.stream is None:
            assert self.start is not None, "ASGI: a body before its start"
            status, headers = self.start["status"], as_text(self.start.get("headers", []))
            if not message.get("more_body", False):
                self.protocol.response_bytes(status, headers, body)
                return
            self.stream = self.protocol.response_stream(status, headers)
        if body:
            await self.stream.send_bytes(body)


def app_from_environment() -> Service:
    """The service as `colloquy serve` runs it, configured from the environment."""
    return Service(main.app_from_environment())
