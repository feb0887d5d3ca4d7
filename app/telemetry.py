"""What each request leaves behind: an id, an access record and the request metrics.

The id comes from `X-Request-Id` when the peer is a trusted proxy (and the id is sane), else it
is made here (a random prefix per process and a count, which is unique and cheap); it is sent
back in `X-Request-Id` and is on every log record made while serving.
The access record names the route by its template (`/content/v1/interviews/{slug}`), so
that metrics and searches group requests, and never carries a token's secret: a `token=` query
value is replaced by `…`.
"""

import itertools
import re
import secrets
import time

import msgspec

from app.asgi import Message, Scope, Send
from app.logs import LineWriter, request_id, text_line, timestamp
from app.metrics import RequestMetrics
from app.proxies import TrustedProxies

# What a request id from a proxy may look like: no spaces, quotes or control characters to
# forge a log line with, and not long.
_SANE_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")
_TOKEN_VALUE = re.compile(r"(?<=token=)[^&]*")
UNMATCHED = "unmatched"  # the route of a request no route took: one metrics label for all


class AccessRecord(msgspec.Struct, kw_only=True):
    """One request, as the access log writes it (a Struct encodes faster than a dict)."""

    ts: str
    level: str = "info"
    logger: str = "colloquy.access"
    message: str = "request"
    request_id: str
    method: str
    route: str
    path: str
    query: str | None
    status: int
    bytes: int
    duration_ms: float
    cache: str | None
    client: str
    user_agent: str | None
    token_id: str | None


class Observation:
    """One request being answered: its id, when it started, and the status and bytes sent."""

    __slots__ = ("bytes", "id", "started", "status")

    def __init__(self, id: str, started: float) -> None:
        self.id = id
        self.started = started
        self.status = 0
        self.bytes = 0

    def watch(self, send: Send) -> Send:
        """`send` that sees the status and the bytes, and sends the id in `X-Request-Id`."""
        header = (b"x-request-id", self.id.encode())

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            elif message["type"] == "http.response.body":
                self.bytes += len(message.get("body", b""))
            await send(message)

        return observed


class Telemetry:
    def __init__(self, proxies: TrustedProxies, writer: LineWriter | None, as_json: bool) -> None:
        self.proxies = proxies
        self.writer = writer
        self.as_json = as_json
        self.metrics = RequestMetrics()
        self.in_flight = 0  # read by the metrics' sync
        self._prefix = secrets.token_hex(4)
        self._count = itertools.count()

    def start(self, scope: Scope) -> Observation:
        """A request begins."""
        sent_id = _header(scope, b"x-request-id")
        observation = Observation(self.request_id(_peer(scope), sent_id), time.perf_counter())
        request_id.set(observation.id)
        self.in_flight += 1
        return observation

    def finish(self, scope: Scope, observation: Observation) -> None:
        self.in_flight -= 1
        route = scope.get("path_template") or UNMATCHED
        seconds = self.measure(observation, scope["method"], route)
        if self.writer is None:
            return
        actor = (scope.get("state") or {}).get("actor")
        user_agent = _header(scope, b"user-agent")
        self.log(
            observation,
            seconds,
            method=scope["method"],
            route=route,
            path=scope["path"],
            query=scope["query_string"].decode("latin-1"),
            cache=scope.get("colloquy.cache"),
            client=self.proxies.address(_peer(scope), scope["headers"]),
            user_agent=user_agent.decode("latin-1") if user_agent is not None else None,
            token_id=str(actor.token_id) if actor is not None else None,
        )

    def request_id(self, peer: str | None, sent: bytes | str | None) -> str:
        """The id a trusted proxy `sent` in X-Request-Id, else one of ours."""
        if sent is not None and self.proxies.networks and peer and self.proxies.trusts_peer(peer):
            text = sent.decode("latin-1") if isinstance(sent, bytes) else sent
            if _SANE_ID.fullmatch(text):
                return text
        return f"{self._prefix}{next(self._count):x}"

    def measure(self, observation: Observation, method: str, route: str) -> float:
        """The request's metrics; the seconds it took."""
        seconds = time.perf_counter() - observation.started
        self.metrics.observe(route, method, observation.status, seconds)
        return seconds

    def log(
        self,
        observation: Observation,
        seconds: float,
        *,
        method: str,
        route: str,
        path: str,
        query: str,
        cache: str | None,
        client: str,
        user_agent: str | None,
        token_id: str | None,
    ) -> None:
        """The request's access record, when there is an access log (`client` as
        `TrustedProxies.address` gives it)."""
        if self.writer is None:
            return
        record = AccessRecord(
            ts=timestamp(),
            request_id=observation.id,
            method=method,
            route=route,
            path=path,
            query=_TOKEN_VALUE.sub("…", query) if query else None,
            status=observation.status,
            bytes=observation.bytes,
            duration_ms=round(seconds * 1000, 3),
            cache=cache,
            client=client,
            user_agent=user_agent,
            token_id=token_id,
        )
        if self.as_json:
            self.writer.write(msgspec.json.encode(record) + b"\n")
        else:
            self.writer.write(text_line(msgspec.structs.asdict(record)))


def _peer(scope: Scope) -> str | None:
    peer = scope.get("client")
    return peer[0] if peer else None


def _header(scope: Scope, name: bytes) -> bytes | None:
    """A request header's value; of one sent twice, the first, as granian's RSGI headers give
    it, so that a hit and a miss are recorded alike."""
    return next((value for key, value in scope["headers"] if key == name), None)
