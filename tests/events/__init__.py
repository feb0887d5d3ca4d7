"""Helpers for the event tests: real HTTP receivers on loopback, and one worker round at a time.

A `Receiver` is a tiny HTTP/1.1 server (asyncio streams, no framework) on 127.0.0.1 that
records every request and answers as its `mode` says: `ok` (its `status`, 200 by default),
`fail` (500), `hang` (never answers while the test runs), `close` (drops the connection
without answering), `drip` (answers 200, one byte every `drip_seconds`, so that no single
read waits long but the whole answer takes long) or `flood` (answers 200 with a 1.5 GB body,
counting the bytes the sender took before it hung up; it stops at `FLOOD_LIMIT`).
"""

import asyncio
import hashlib
import hmac
import socket
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

import asyncpg

from app.clock import Clock
from app.events.dispatch import dispatch_due
from app.events.sending import Sender
from app.outbox import EVENT_TYPES
from app.settings import Settings
from app.site import Site
from tests.factories import Client, Json, make_interview, make_person

Headers = dict[str, str]
Mode = Literal["ok", "fail", "hang", "close", "drip", "flood"]
ALL_EVENT_TYPES = list(EVENT_TYPES)
WAIT_SECONDS = 10.0  # the most any helper waits for something that should happen at once
FLOOD_LIMIT = 256 * 1024 * 1024  # what a flooding receiver sends at most before it hangs up


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    at: float  # time.monotonic() when the body had arrived


@dataclass
class Receiver:
    """A real HTTP server on a free loopback port; start it with `receiving()`."""

    mode: Mode = "ok"
    status: int = 200
    drip_seconds: float = 0.1
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None  # serve HTTPS with it
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    flooded: int = 0  # body bytes a `flood` answer got out before the connection closed
    flood_over: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}/hook"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]

    def release(self) -> None:
        """Hanging and dripping handlers give up and hang up."""
        self._release.set()

    async def stop(self) -> None:
        self.release()
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        for writer in list(self._writers):
            with suppress(OSError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 1)

    async def wait_for(self, count: int, seconds: float = WAIT_SECONDS) -> list[Received]:
        """Wait until at least `count` requests have arrived; fail after `seconds`."""

        async def enough() -> None:
            async with self._arrived:
                await self._arrived.wait_for(lambda: len(self.requests) >= count)

        try:
            await asyncio.wait_for(enough(), seconds)
        except TimeoutError:
            raise AssertionError(
                f"{len(self.requests)} requests arrived within {seconds} s; expected {count}"
            ) from None
        return self.requests

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while await self._one(reader, writer):
                pass
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request and answer it; whether the connection stays open."""
        line = await reader.readline()
        if not line.strip():
            return False
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        async with self._arrived:
            self.requests.append(Received(method, path, headers, body, time.monotonic()))
            self._arrived.notify_all()
        if self.mode == "hang":
            await self._release.wait()
            return False
        if self.mode == "close":
            return False
        if self.mode == "drip":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
                if self._release.is_set():
                    return False
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(self.drip_seconds)
            return True
        if self.mode == "flood":
            await self._flood(writer)
            return False
        status = 500 if self.mode == "fail" else self.status
        writer.write(
            f"HTTP/1.1 {status} Whatever\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n"
            f"\r\nok".encode()
        )
        await writer.drain()
        return True

    async def _flood(self, writer: asyncio.StreamWriter) -> None:
        # A small send buffer of our own, so that what the count includes beyond what the
        # sender read is mostly the sender's receive buffer.
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65_536)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1610612736\r\n\r\n")
        chunk = b"x" * 65_536
        try:
            while self.flooded < FLOOD_LIMIT:
                writer.write(chunk)
                await writer.drain()
                self.flooded += len(chunk)
        except OSError:
            pass  # the sender hung up
        finally:
            self.flood_over.set()


@asynccontextmanager
async def receiving(
    mode: Mode = "ok",
    status: int = 200,
    host: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
) -> AsyncIterator[Receiver]:
    receiver = Receiver(mode=mode, status=status, host=host, tls=tls)
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


# --- the worker, one round at a time ---------------------------------------------------------


async def dispatch(pool: asyncpg.Pool, clock: Clock, settings: Settings) -> int:
    """Dispatch everything due now; how many events that was."""
    total = 0
    while count := await dispatch_due(pool, clock.now(), settings, Site(settings.base_url)):
        total += count
    return total


async def send_due(
    pool: asyncpg.Pool,
    clock: Clock,
    settings: Settings,
    seconds: float = 2.0,
    allow_private: bool | None = None,
) -> int:
    """Rounds of a sender until nothing is due now, each waited for (bounded); how many
    deliveries were started in all. Each attempt may take `seconds`."""
    allowed = settings.webhook_allow_private if allow_private is None else allow_private
    total = 0
    async with Sender(pool, clock, allowed, timeout=seconds) as sender:
        for _ in range(100):
            started = await sender.start_due()
            await asyncio.wait_for(sender.drain(), seconds + WAIT_SECONDS)
            if not started:
                return total
            total += started
    raise AssertionError("deliveries kept coming due")


async def worker_round(pool: asyncpg.Pool, clock: Clock, settings: Settings) -> int:
    """One dispatch and one send round; how many deliveries were sent."""
    await dispatch(pool, clock, settings)
    return await send_due(pool, clock, settings)


# --- signatures ------------------------------------------------------------------------------


def verify_signature(secret: str, header: str, body: bytes) -> int:
    """Check `t=<ts>,v1=<hex>` as the README tells receivers to; the timestamp."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    assert set(parts) == {"t", "v1"}, header
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(expected.hexdigest(), parts["v1"]), "the signature does not verify"
    return timestamp


# --- test data -------------------------------------------------------------------------------


async def draft(
    client: Client, editor: Headers, series: Json, interviewer: Json, guest: str, **fields: Any
) -> Json:
    """A draft ready to publish, with a new interviewee called `guest`."""
    interviewee = await make_person(client, editor, guest)
    return await make_interview(client, editor, series, interviewer, interviewee, **fields)


async def subscribe(
    client: Client, admin: Headers, url: str, event_types: list[str] | None = None
) -> Json:
    """A webhook through the API; the answer carries its secret."""
    response = await client.post(
        "/admin/v1/webhooks",
        json={"url": url, "event_types": event_types or ALL_EVENT_TYPES},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    result: Json = response.json()
    return result


async def events_of(db: asyncpg.Connection, interview_id: str | UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        """
        SELECT id, type, occurred_at, due_at, dispatched_at FROM events
         WHERE interview_id = $1 ORDER BY occurred_at, due_at, type
        """,
        UUID(str(interview_id)),
    )
    return rows


async def deliveries_of(db: asyncpg.Connection, webhook_id: str | UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        """
        SELECT d.id, d.status, d.attempts, d.next_attempt_at, e.type AS event_type
          FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.webhook_id = $1 ORDER BY d.created_at, d.id
        """,
        UUID(str(webhook_id)),
    )
    return rows


async def attempts_of(db: asyncpg.Connection, delivery_id: UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        """
        SELECT attempted_at, status_code, duration_ms, error FROM delivery_attempts
         WHERE delivery_id = $1 ORDER BY id
        """,
        delivery_id,
    )
    return rows
