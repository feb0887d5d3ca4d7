"""The public response cache: it answers GET and HEAD for /content and /feeds before routing.

An entry is served only while all of these hold:
- it was rendered in the current *epoch*. The epoch moves on every write this process
  serves, on every change notice from PostgreSQL (a trigger on each content table notifies
  at commit, so other instances and the publication worker reach us too), and whenever the
  notice connection is (re)established. Without that connection nothing is served from cache.
- the clock has not reached the next time the public view changes by itself (a scheduled
  publication, or an editors' choice window opening or closing);
- for the front page (which has the popular section), it is less than a minute old.
An entry records the epoch in which its rendering *started*, so a rendering that raced with
a write is already stale when stored.
"""

import asyncio
import contextlib
import gzip
import hashlib
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import asyncpg
import brotli
import msgspec
from litestar import Litestar

from app.clock import Clock
from app.content.queries import select_next_change

CHANNEL = "colloquy_content"
PREFIXES = ("/content/", "/feeds/")
MAX_AGE = 60
STALE_WHILE_REVALIDATE = 30
SHORT_LIVED = {"/content/v1/frontpage": timedelta(seconds=60)}
MAX_ENTRIES = 4096
COMPRESS_FROM = 512

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Freshness:
    """What cached public responses are valid for."""

    def __init__(self) -> None:
        self.epoch = 0
        self.listening = False
        self.next_change: datetime | None = None
        self.next_change_known = False

    def bump(self, *_: object) -> None:
        self.epoch += 1
        self.next_change_known = False

    async def until(self, pool: asyncpg.Pool, now: datetime) -> datetime | None:
        """The next time the public view changes by itself, looked up once per epoch."""
        if not self.next_change_known or (self.next_change and now >= self.next_change):
            async with pool.acquire() as db:
                self.next_change = await select_next_change(db, now)
            self.next_change_known = True
        return self.next_change


async def keep_listening(database_url: str, freshness: Freshness) -> None:
    """Hold a LISTEN connection for change notices; reconnect when it drops."""
    while True:
        connection = None
        try:
            connection = await asyncpg.connect(database_url)
            closed = asyncio.Event()
            connection.add_termination_listener(lambda _connection, done=closed: done.set())
            await connection.add_listener(CHANNEL, freshness.bump)
            freshness.bump()  # anything may have changed while nobody listened
            freshness.listening = True
            await closed.wait()
        except (OSError, asyncpg.PostgresError):
            pass
        finally:
            freshness.listening = False
            freshness.bump()
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close(timeout=1)
        await asyncio.sleep(1)


Headers = list[tuple[bytes, bytes]]


class Variant(msgspec.Struct):
    """One content coding of an entry, with its headers made once (all but Cache-Control)."""

    body: bytes
    headers: Headers  # for a 200
    not_modified: Headers  # for a 304


class Entry(msgspec.Struct):
    epoch: int
    expires: datetime | None
    tag: str
    last_modified: datetime
    variants: dict[str, Variant]  # content coding -> variant


def _variants(body: bytes, tag: str, last_modified: datetime, kept: Headers) -> dict[str, Variant]:
    bodies = {"identity": body}
    if len(body) >= COMPRESS_FROM:
        bodies["gzip"] = gzip.compress(body, 6, mtime=0)
        bodies["br"] = brotli.compress(body, quality=5)
    validators = [
        (b"last-modified", format_datetime(last_modified, usegmt=True).encode()),
        (b"vary", b"Accept-Encoding"),
    ]
    variants = {}
    for coding, coded in bodies.items():
        suffix = "" if coding == "identity" else f"-{coding}"
        common = [(b"etag", f'"{tag}{suffix}"'.encode()), *validators]
        headers = [*kept, *common, (b"content-length", str(len(coded)).encode())]
        if coding != "identity":
            headers.append((b"content-encoding", coding.encode()))
        variants[coding] = Variant(coded, headers, common)
    return variants


def _coding(accept_encoding: str, bodies: dict[str, Variant]) -> str:
    offered = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        refused = params.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000")
        offered[name.strip()] = not refused
    for coding in ("br", "gzip"):
        if coding in bodies and offered.get(coding):
            return coding
    return "identity"


def _matches(if_none_match: str, tag: str) -> bool:
    for candidate in if_none_match.split(","):
        candidate = candidate.strip().removeprefix("W/")
        if candidate == "*" or candidate.split("-")[0].strip('"') == tag:
            return True
    return False


_ASCTIME = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$")


def _not_modified_since(if_modified_since: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False  # garbage is ignored, as RFC 9110 asks
    if since.tzinfo is None:
        if not _ASCTIME.match(if_modified_since):
            return False  # a date without its zone is not one of the three HTTP forms
        since = since.replace(tzinfo=UTC)  # asctime, which RFC 9110 reads as GMT
    return last_modified.replace(microsecond=0) <= since


def _cache_control(max_age: int) -> tuple[bytes, bytes]:
    value = f"public, max-age={max_age}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
    return (b"cache-control", value.encode())


FULL_CACHE_CONTROL = _cache_control(MAX_AGE)


class PublicCache:
    """ASGI app in front of Litestar for public GETs; everything else passes straight on."""

    def __init__(self, app: Litestar) -> None:
        self.app = app
        self.state = app.state
        self.freshness: Freshness = app.state.freshness
        self.clock: Clock = app.state.clock
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        # key -> (body hash, first time this instance served that body): Last-Modified
        self.first_seen: dict[str, tuple[str, datetime]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIXES):
            await self._pass(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self._pass(scope, receive, send)
            return
        key = f"{scope['path']}?{scope['query_string'].decode('latin-1')}"
        now = self.clock.now()
        entry = self.entries.get(key)
        if entry is None or not self._fresh(entry, now):
            entry = await self._render(scope, receive, send, key, now)
            if entry is None:
                return
        else:
            self.entries.move_to_end(key)
        await self._answer(scope, send, entry, now)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)  # type: ignore[arg-type]
        finally:
            edit = scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS")
            if edit and scope["path"].startswith("/admin/"):
                self.freshness.bump()  # an edit through this process: drop what we have

    def _fresh(self, entry: Entry, now: datetime) -> bool:
        return (
            self.freshness.listening
            and entry.epoch == self.freshness.epoch
            and (entry.expires is None or now < entry.expires)
        )

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, key: str, now: datetime
    ) -> Entry | None:
        """Let Litestar answer; keep a 200, pass anything else through as it is."""
        epoch = self.freshness.epoch
        until = await self.freshness.until(self.state.pool, now)
        messages: list[dict[str, Any]] = []

        async def capture(message: dict[str, Any]) -> None:
            messages.append(message)

        await self.app({**scope, "method": "GET"}, receive, capture)  # type: ignore[arg-type]
        start = messages[0]
        if start["status"] != 200:
            for message in messages:
                if scope["method"] == "HEAD" and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)
            return None
        body = b"".join(m.get("body", b"") for m in messages[1:])
        tag = hashlib.blake2b(body, digest_size=12).hexdigest()
        seen_tag, seen_at = self.first_seen.get(key, ("", now))
        last_modified = seen_at if seen_tag == tag else now
        self.first_seen[key] = (tag, last_modified)
        lifetime = SHORT_LIVED.get(scope["path"])
        expires = min(filter(None, [until, now + lifetime if lifetime else None]), default=None)
        headers = [
            (name, value)
            for name, value in start["headers"]
            if name.lower() in (b"content-type", b"link")
        ]
        entry = Entry(
            epoch, expires, tag, last_modified, _variants(body, tag, last_modified, headers)
        )
        self.entries[key] = entry
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)
        if len(self.first_seen) > 4 * MAX_ENTRIES:
            self.first_seen.clear()
        return entry

    async def _answer(self, scope: Scope, send: Send, entry: Entry, now: datetime) -> None:
        accept_encoding = if_none_match = if_modified_since = None
        for name, value in scope["headers"]:
            match name.lower():
                case b"accept-encoding":
                    accept_encoding = value
                case b"if-none-match":
                    if_none_match = value
                case b"if-modified-since":
                    if_modified_since = value
        coding = (
            _coding(accept_encoding.decode("latin-1"), entry.variants)
            if accept_encoding
            else "identity"
        )
        variant = entry.variants[coding]
        cache_control = FULL_CACHE_CONTROL
        if entry.expires is not None:
            left = int((entry.expires - now).total_seconds())
            cache_control = _cache_control(max(0, min(MAX_AGE, left)))
        if if_none_match is not None:
            not_modified = _matches(if_none_match.decode("latin-1"), entry.tag)
        else:
            not_modified = if_modified_since is not None and _not_modified_since(
                if_modified_since.decode("latin-1"), entry.last_modified
            )
        if not_modified:
            headers = [*variant.not_modified, cache_control]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [*variant.headers, cache_control]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = b"" if scope["method"] == "HEAD" else variant.body
        await send({"type": "http.response.body", "body": body})
