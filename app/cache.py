"""The public response cache: it answers GET and HEAD for /content, /feeds and /sitemaps
before routing.

An entry is served only while all of these hold:
- it was rendered in the current *epoch*. The epoch moves on every write this process
  serves successfully, on every change notice from PostgreSQL (a trigger on each content table
  notifies at commit, so other instances and the publication worker reach us too), and whenever
  the notice connection is (re)established or lost. Without that connection nothing is served
  from cache while the database answers.
- the clock has not reached the next time the public view changes by itself (a scheduled
  publication, or an editors' choice window opening or closing);
- for the front page (which has the popular section), the news sitemap (the last 48 hours)
  and the newsletter (the last seven days), it is less than a minute old.
An entry records the epoch in which its rendering *started*, so a rendering that raced with
a write is already stale when stored.

The cache holds at most `cache_max_bytes` (every coding's body, the headers and the key,
roughly), dropping the least recently used entries first. An entry over an eighth of that is
served but not kept, so that one huge page cannot push out everything else. Public routes
refuse query parameters they do not take (app/query_params.py), so `?x=1`, `?x=2`, ... cannot
make new entries either.

A CDN may keep an entry far longer than a browser (`Surrogate-Control`, `CDN-Cache-Control`:
COLLOQUY_CDN_MAX_AGE), as every change purges the entries that show what it changed: each entry
carries the keys of what it shows (`Surrogate-Key`, `Cache-Tag`; app/cdn/keys.py), gathered as
it is rendered and stored with it. What moves with no change to purge it (SHORT_LIVED) is kept
by a CDN no longer than by a browser, and what is not kept here is not kept there either.

When the database cannot be reached, a GET is answered from the last good entry for its URL,
marked `max-age=0, stale-if-error` (RFC 5861): a reader gets the feed as it last was rather
than an error. Only entries that no content change has overtaken qualify (a withdrawn interview
must not come back), and only an answer of 503 counts (the database could not be reached, or
broke off the read for a conflict of its own, app/errors.py): while it answers, nothing stale
is served. With no such entry the answer is the 503 with Retry-After.
"""

import asyncio
import contextlib
import functools
import gzip
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import asyncpg
import brotli
import msgspec
from litestar import Litestar

from app.asgi import Headers, Message, Receive, Scope, Send
from app.audit.recorder import AuditRecorder
from app.cdn.keys import gathering, key_headers
from app.clock import Clock
from app.content.queries import select_next_change
from app.cors import Cors
from app.errors import DATABASE_UNAVAILABLE, problem_messages, unavailable
from app.idempotency import Idempotency
from app.metrics import CacheNumbers
from app.telemetry import Telemetry

CHANNEL = "colloquy_content"
PREFIXES = ("/content/", "/feeds/", "/sitemaps/")
MAX_AGE = 60
STALE_WHILE_REVALIDATE = 30
# What moves on with no write to tell us: the popular section, the 48 hours of news, the
# newsletter's last seven days.
SHORT_LIVED = {
    "/content/v1/frontpage": timedelta(seconds=60),
    "/content/v1/newsletter": timedelta(seconds=60),
    "/sitemaps/news.xml": timedelta(seconds=60),
}
COMPRESS_FROM = 512
LARGEST_SHARE = 8  # no entry may take more than 1/8 of the budget
ENTRY_OVERHEAD = 1024  # the Python objects around an entry's bytes, roughly
FIRST_SEEN_MAX = 16_384  # URLs whose first-served time is remembered (about 100 bytes each)
STALE_IF_ERROR = 60


class Freshness:
    """What cached public responses are valid for."""

    def __init__(self) -> None:
        self.epoch = 0
        # Content changes seen: an entry rendered before the last one is wrong, not just old,
        # and is not served even when the database cannot be reached.
        self.changes = 0
        self.listening = False
        self.next_change: datetime | None = None
        self.next_change_known = False

    def bump(self, *_: object) -> None:
        """What is held may be out of date (the notice connection came or went)."""
        self.epoch += 1
        self.next_change_known = False

    def changed(self, *_: object) -> None:
        """What is held is out of date: content was written."""
        self.changes += 1
        self.bump()

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
            await connection.add_listener(CHANNEL, freshness.changed)
            freshness.changed()  # anything may have changed while nobody listened
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


TextHeaders = list[tuple[str, str]]


def as_text(headers: Headers) -> TextHeaders:
    """Headers as granian's RSGI interface takes them (app/rsgi.py): it sends a str's UTF-8
    bytes, so UTF-8 goes out as it came. Other bytes (Latin-1, which HTTP allows) cannot: they
    go out as their Latin-1 reading, in UTF-8."""
    return [(name.decode("latin-1"), _text(value)) for name, value in headers]


def _text(value: bytes) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")


class Variant(msgspec.Struct):
    """One content coding of an entry, with its headers made once (all but Cache-Control), as
    ASGI sends them (bytes) and as RSGI does (text)."""

    body: bytes
    headers: Headers  # for a 200
    not_modified: Headers  # for a 304
    text: TextHeaders  # the 200's
    text_not_modified: TextHeaders  # the 304's


class Controls(msgspec.Struct, frozen=True):
    """Cache-Control, and what a CDN may keep, in both forms."""

    headers: Headers
    text: TextHeaders


class Hit(msgspec.Struct, frozen=True):
    """What the cache answers a request with: a 200 (to a HEAD without its body) or a 304."""

    status: int
    headers: Headers  # the variant's; the controls' follow them
    text: TextHeaders
    controls: Controls
    body: bytes
    route: str | None


class Entry(msgspec.Struct):
    epoch: int
    changes: int  # Freshness.changes when its rendering started
    expires: datetime | None
    tag: str
    last_modified: datetime
    variants: dict[str, Variant]  # content coding -> variant
    size: int  # bytes it takes, roughly: see _size
    route: str | None  # the template of the route that rendered it, for logs and metrics


def _size(key: str, variants: dict[str, Variant]) -> int:
    """Bodies, header names and values (twice: as bytes and as text), the key, and a flat amount
    for the objects around them. The 304 headers are not counted: they are the same objects as
    some of the 200's."""
    size = ENTRY_OVERHEAD + len(key)
    for variant in variants.values():
        headers = sum(len(name) + len(value) for name, value in variant.headers)
        size += len(variant.body) + 2 * headers
    return size


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
        variants[coding] = Variant(coded, headers, common, as_text(headers), as_text(common))
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


def _cdn_control(max_age: int) -> Headers:
    """For a CDN: Surrogate-Control (Fastly, Varnish's VCL here) and its standard form,
    CDN-Cache-Control (RFC 9213; Cloudflare)."""
    value = f"max-age={max_age}".encode()
    return [(b"surrogate-control", value), (b"cdn-cache-control", value)]


def _controls_of(headers: Headers) -> Controls:
    return Controls(headers, as_text(headers))


@functools.cache  # a few hundred at most: max_age is 0-60, cdn_max_age that or the setting's
def _controls(max_age: int, cdn_max_age: int) -> Controls:
    value = f"public, max-age={max_age}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
    return _controls_of([(b"cache-control", value.encode()), *_cdn_control(cdn_max_age)])


STALE_CONTROLS = _controls_of(
    [
        (b"cache-control", f"public, max-age=0, stale-if-error={STALE_IF_ERROR}".encode()),
        *_cdn_control(0),
    ]
)
NOT_KEPT_BY_CDN = [(b"surrogate-control", b"no-store"), (b"cdn-cache-control", b"no-store")]


# The app's 503, for when the cache cannot reach the database itself and holds nothing good.
UNAVAILABLE = problem_messages(unavailable())


async def send_empty(send: Send, status: int, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


class PublicCache:
    """ASGI app in front of Litestar for public GETs; everything else passes straight on."""

    def __init__(self, app: Litestar) -> None:
        self.app = app
        self.state = app.state
        self.freshness: Freshness = app.state.freshness
        self.clock: Clock = app.state.clock
        self.max_bytes: int = app.state.settings.cache_max_bytes
        self.cdn_max_age: int = app.state.settings.cdn_max_age
        self.entries: OrderedDict[str, Entry] = OrderedDict()  # least recently used first
        # What the cache holds and does, for whoever watches it.
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        # digest of key -> (body hash, first time this instance served that body): Last-Modified.
        # Keyed by a digest so that a bound on the number of records bounds their bytes too.
        self.first_seen: OrderedDict[bytes, tuple[str, datetime]] = OrderedDict()
        self.telemetry: Telemetry = app.state.telemetry
        self.cors = Cors(app.state.settings.cors_origins)
        self.idempotency = Idempotency(self.clock, app.state.settings.max_body_bytes)
        self.audit = AuditRecorder(self.clock, self.telemetry.proxies)

    def numbers(self) -> CacheNumbers:
        return CacheNumbers(
            entries=len(self.entries),
            bytes=self.bytes,
            hits=self.hits,
            misses=self.misses,
            evictions=self.evictions,
            epoch_bumps=self.freshness.epoch,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # type: ignore[arg-type]
            return
        observation = self.telemetry.start(scope)
        observed = observation.watch(send)
        try:
            if not self.cors:
                await self._serve(scope, receive, observed)
            elif scope["method"] == "OPTIONS" and (allowed := self.cors.preflight(scope)):
                await send_empty(observed, 204, allowed)
            else:
                await self._serve(scope, receive, self.cors.wrap(scope, observed))
        finally:
            self.telemetry.finish(scope, observation)

    def hit(
        self, method: str, path: str, query: str, header: Callable[[str], str | None]
    ) -> Hit | None:
        """The answer from the cache to a request, if it has a fresh one: the one place that
        decides, for ASGI (`_serve`) and for RSGI (app/rsgi.py) alike. `header` gives the value
        of a request header by its lower-case name."""
        if method not in ("GET", "HEAD") or not path.startswith(PREFIXES):
            return None
        key = f"{path}?{query}"
        entry = self.entries.get(key)
        if entry is None:
            return None
        now = self.clock.now()
        if not self._fresh(entry, now):
            return None
        self.hits += 1
        self.entries.move_to_end(key)
        return _answer(entry, method, header, self._controls(path, entry, now))

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"]
        if method not in ("GET", "HEAD") or not path.startswith(PREFIXES):
            await self._pass(scope, receive, send)
            return
        query = scope["query_string"].decode("latin-1")
        header = _headers(scope).get
        if (hit := self.hit(method, path, query, header)) is not None:
            scope["colloquy.cache"], scope["path_template"] = "hit", hit.route
            await _send(send, hit)
            return
        self.misses += 1
        scope["colloquy.cache"] = "miss"
        key, now = f"{path}?{query}", self.clock.now()
        entry = self.entries.get(key)  # what may stand in if the database cannot be reached
        try:
            rendered = await self._render(scope, receive, key, now)
        except DATABASE_UNAVAILABLE:
            rendered = UNAVAILABLE
        if isinstance(rendered, Entry):
            await _send(
                send, _answer(rendered, method, header, self._controls(path, rendered, now))
            )
        elif rendered[0]["status"] == 503 and entry is not None and self._good(entry):
            scope["colloquy.cache"], scope["path_template"] = "stale", entry.route
            self.entries.move_to_end(key)
            await _send(send, _answer(entry, method, header, STALE_CONTROLS))
        else:
            await self._replay(scope, send, rendered)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Straight to Litestar. A write under /admin/ that succeeds drops what we hold, as soon
        as its answer starts (its transaction has committed by then); one that fails, or that
        nobody was allowed to make, changes nothing and so drops nothing. Admin requests are
        audited (app/audit), and admin POSTs may be idempotent (app/idempotency.py)."""
        if not scope["path"].startswith("/admin/"):
            await self.app(scope, receive, send)  # type: ignore[arg-type]
            return
        pool = self.app.state.pool
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.audit(pool, scope, receive, send, self.app)  # type: ignore[arg-type]
            return

        async def watched(scope: Scope, receive: Receive, send: Send) -> None:
            async def watch(message: Message) -> None:
                if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                    self.freshness.changed()
                await send(message)

            await self.app(scope, receive, watch)  # type: ignore[arg-type]

        async def audited(scope: Scope, receive: Receive, send: Send) -> None:
            await self.audit(pool, scope, receive, send, watched)

        if self.idempotency.applies(scope):  # a replayed answer did nothing: not audited
            await self.idempotency(pool, scope, receive, send, audited)
        else:
            await audited(scope, receive, send)

    def _fresh(self, entry: Entry, now: datetime) -> bool:
        return (
            self.freshness.listening
            and entry.epoch == self.freshness.epoch
            and (entry.expires is None or now < entry.expires)
        )

    def _good(self, entry: Entry) -> bool:
        """Whether an entry may stand in while the database cannot be reached: no content
        change has been seen since it was rendered."""
        return entry.changes == self.freshness.changes

    async def _render(
        self, scope: Scope, receive: Receive, key: str, now: datetime
    ) -> Entry | list[Message]:
        """Let Litestar answer: a 200 becomes an entry (kept if it fits) unless it says
        `private, no-store` (a preview); anything else comes
        back as the messages it was sent in. A 503 is how the app says that the database
        cannot be reached (app/errors.py); reaching it here ourselves may raise
        DATABASE_UNAVAILABLE."""
        epoch, changes = self.freshness.epoch, self.freshness.changes
        until = await self.freshness.until(self.state.pool, now)
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        rendering = {**scope, "method": "GET"}
        with gathering() as shown:
            await self.app(rendering, receive, capture)  # type: ignore[arg-type]
        route = scope["path_template"] = rendering.get("path_template")
        start = messages[0]
        if start["status"] != 200 or (b"cache-control", b"private, no-store") in start["headers"]:
            return messages
        body = b"".join(m.get("body", b"") for m in messages[1:])
        tag = hashlib.blake2b(body, digest_size=12).hexdigest()
        last_modified = self._last_modified(key, tag, now)
        lifetime = SHORT_LIVED.get(scope["path"])
        expires = min(filter(None, [until, now + lifetime if lifetime else None]), default=None)
        headers = [
            (name, value)
            for name, value in start["headers"]
            if name.lower() in (b"content-type", b"link")
        ]
        headers.extend(key_headers(route, shown))
        variants = _variants(body, tag, last_modified, headers)
        size = _size(key, variants)
        entry = Entry(epoch, changes, expires, tag, last_modified, variants, size, route)
        self._keep(key, entry)
        return entry

    def _last_modified(self, key: str, tag: str, now: datetime) -> datetime:
        """When this instance first served this body at this URL: it stays put while the body
        does, across renderings, for the most recently rendered URLs."""
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        seen_tag, seen_at = self.first_seen.pop(digest, (tag, now))
        last_modified = seen_at if seen_tag == tag else now
        self.first_seen[digest] = (tag, last_modified)
        while len(self.first_seen) > FIRST_SEEN_MAX:
            self.first_seen.popitem(last=False)
        return last_modified

    def _keep(self, key: str, entry: Entry) -> None:
        """Hold the entry in place of the one before, within the budget."""
        if (replaced := self.entries.pop(key, None)) is not None:
            self.bytes -= replaced.size
        if entry.size > self.max_bytes // LARGEST_SHARE:
            return
        self.entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.bytes -= dropped.size
            self.evictions += 1

    def _controls(self, path: str, entry: Entry, now: datetime) -> Controls:
        """Cache-Control, and what a CDN may keep: long, as changes purge it, unless what it
        shows moves with no change to purge it (SHORT_LIVED)."""
        if entry.expires is None:
            return _controls(MAX_AGE, self.cdn_max_age)
        left = max(0, min(MAX_AGE, int((entry.expires - now).total_seconds())))
        return _controls(left, left if path in SHORT_LIVED else self.cdn_max_age)

    async def _replay(self, scope: Scope, send: Send, messages: list[Message]) -> None:
        """What is not an entry (an error, a preview) a CDN must not keep either."""
        for message in messages:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], *NOT_KEPT_BY_CDN]}
            if scope["method"] == "HEAD" and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)


def _headers(scope: Scope) -> dict[str, str]:
    """An ASGI request's headers by lower-case name (of one sent twice, the last)."""
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }


def _answer(
    entry: Entry, method: str, header: Callable[[str], str | None], controls: Controls
) -> Hit:
    """The entry's answer to a request: the content coding it takes, or a 304 when its
    conditions hold."""
    accept_encoding = header("accept-encoding")
    variant = entry.variants[
        _coding(accept_encoding, entry.variants) if accept_encoding else "identity"
    ]
    if_none_match = header("if-none-match")
    if if_none_match is not None:
        not_modified = _matches(if_none_match, entry.tag)
    else:
        if_modified_since = header("if-modified-since")
        not_modified = if_modified_since is not None and _not_modified_since(
            if_modified_since, entry.last_modified
        )
    if not_modified:
        return Hit(304, variant.not_modified, variant.text_not_modified, controls, b"", entry.route)
    body = b"" if method == "HEAD" else variant.body
    return Hit(200, variant.headers, variant.text, controls, body, entry.route)


async def _send(send: Send, hit: Hit) -> None:
    headers = [*hit.headers, *hit.controls.headers]
    await send({"type": "http.response.start", "status": hit.status, "headers": headers})
    await send({"type": "http.response.body", "body": hit.body})
