"""A small keep-alive HTTP/1.1 client for webhook POSTs (h11 over asyncio streams).

Of an answer only the status counts: at most ANSWER_BYTES of its body are read (so that a short
answer leaves the connection reusable), then it is closed, however much more the receiver has
to say. A connection is kept IDLE_SECONDS for the next request to its origin. With `checked`,
a connection goes only to an address that passed the target check (`targets.connect`), so a
name cannot be rebound between the check and the connection.

httpcore's pool rescans every connection for each request; at 50 in flight that cost more CPU
than the rest of a delivery, hence this.
"""

import asyncio
import base64
import functools
import ssl
import time
from urllib.parse import quote, unquote, urlsplit

import h11

from app.webhooks.targets import connect

ANSWER_BYTES = 4096
IDLE_SECONDS = 5.0  # how long a connection is kept for the next request to its origin
# Errors of an exchange that say something about the receiver or the way to it.
HTTP_ERRORS = (h11.ProtocolError, OSError)

Origin = tuple[str, str, int]  # scheme, host (ASCII), port


class Connection:
    """One HTTP/1.1 connection, and h11's view of where the exchange on it stands."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.http = h11.Connection(h11.CLIENT)
        self.idle_since = time.monotonic()

    def fresh(self) -> bool:
        """Open at both ends, and not idle for longer than IDLE_SECONDS."""
        return (
            not self.reader.at_eof()
            and not self.writer.is_closing()
            and time.monotonic() - self.idle_since < IDLE_SECONDS
        )

    def abort(self) -> None:
        self.writer.transport.abort()

    async def exchange(self, request: h11.Request, body: bytes) -> tuple[int, bool]:
        """Send the request; the status, and whether the connection may carry another."""
        events = (request, h11.Data(data=body), h11.EndOfMessage())
        self.writer.write(b"".join(self.http.send(event) or b"" for event in events))
        await self.writer.drain()
        status: int | None = None
        taken = 0
        while True:
            event = self.http.next_event()
            if event is h11.NEED_DATA:
                if status is not None and taken >= ANSWER_BYTES:
                    return status, False  # the rest is never read
                data = await self.reader.read(ANSWER_BYTES)
                if not data and status is None:
                    raise ConnectionResetError("the receiver hung up without answering")
                self.http.receive_data(data)
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                taken += len(event.data)
            elif isinstance(event, h11.EndOfMessage):
                assert status is not None
                reusable = self.http.our_state is self.http.their_state is h11.DONE
                if reusable:
                    self.http.start_next_cycle()
                return status, reusable


class Connections:
    """Keep-alive HTTP/1.1 connections (h11 over asyncio streams), each kept for up to
    IDLE_SECONDS for the next request to its origin. With `checked`, each is made only to an
    address that passed the target check."""

    def __init__(self, checked: bool) -> None:
        self.checked = checked
        self._idle: dict[Origin, list[Connection]] = {}
        self._swept = time.monotonic()

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> int:
        """POST `body` to `url`; the status. At most ANSWER_BYTES of the answer are read."""
        return await self.send("POST", url, headers, body)

    async def send(self, method: str, url: str, headers: dict[str, str], body: bytes) -> int:
        """`method` with `body` to `url` (a CDN purge is a PURGE); the status."""
        where, request = _request(method, url, headers, len(body))
        connection = self._reuse(where) or await self._connect(where)
        try:
            status, reusable = await connection.exchange(request, body)
        except BaseException:
            connection.abort()
            raise
        if reusable:
            connection.idle_since = time.monotonic()
            self._idle.setdefault(where, []).append(connection)
        else:
            connection.abort()
        return status

    def close(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.abort()
        self._idle.clear()

    def _reuse(self, where: Origin) -> Connection | None:
        self._sweep()
        idle = self._idle.get(where, [])
        while idle:
            connection = idle.pop()
            if connection.fresh():
                return connection
            connection.abort()
        return None

    def _sweep(self) -> None:
        """Close connections left idle too long, now and then, whatever their origin."""
        if time.monotonic() - self._swept < IDLE_SECONDS:
            return
        self._swept = time.monotonic()
        for where, connections in list(self._idle.items()):
            for connection in connections:
                if not connection.fresh():
                    connection.abort()
            self._idle[where] = [c for c in connections if c.fresh()]

    async def _connect(self, where: Origin) -> Connection:
        scheme, host, port = where
        tls = _tls() if scheme == "https" else None
        return Connection(*await connect(host, port, tls, self.checked))


@functools.cache
def _tls() -> ssl.SSLContext:
    """Certificates verified against the system's trusted authorities, loaded once."""
    return ssl.create_default_context()


def _request(
    method: str, url: str, headers: dict[str, str], length: int
) -> tuple[Origin, h11.Request]:
    """Where to send a request to `url`, and the request: with its Host, its length, and Basic
    credentials from the URL's userinfo. A non-ASCII name goes as IDNA, and whatever else a
    request target may not hold percent-encoded."""
    parts = urlsplit(url)
    host = (parts.hostname or "").encode("idna").decode("ascii")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    authority = f"[{host}]" if ":" in host else host
    if parts.port:
        authority += f":{parts.port}"
    target = quote(parts.path or "/", safe="/%!$&'()*+,;=:@~")
    if parts.query:
        target += "?" + quote(parts.query, safe="/?%!$&'()*+,;=:@~")
    fields = {"Host": authority, "Content-Length": str(length), **headers}
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        fields["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    request = h11.Request(method=method, target=target, headers=list(fields.items()))
    return (parts.scheme, host, port), request
