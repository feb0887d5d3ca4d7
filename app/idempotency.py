"""Idempotent admin POSTs: a retry with the same `Idempotency-Key` gets the first answer.

Stripe's semantics. Per token and key, the first request's answer (status, the headers a client
reads, body) is kept for 24 hours; a retry of the same request (method, path, query and body)
gets it again, marked `Idempotent-Replayed: true`, and nothing is done twice. The same key with
another request is a 422; a retry while the first still runs is a 409.

Only answers that did something (2xx) are kept: a request refused for its input, its rights or a
conflict changed nothing, so running it again is safe and may then succeed. The key is claimed
in the database before the request runs, so that retries in parallel, on any instance, run it
once; a claim whose request never finished (its process died) is taken over after ABANDONED.
"""

import contextlib
import hashlib
from datetime import datetime, timedelta

import asyncpg
import msgspec

from app.asgi import App, Headers, Message, Receive, Scope, Send
from app.clock import Clock
from app.errors import DATABASE_UNAVAILABLE, ProblemError, problem_messages, unavailable

HEADER = b"idempotency-key"
KEY_CHARACTERS = frozenset(range(0x21, 0x7F))  # visible ASCII: no spaces or control characters
KEY_MAX = 255
KEPT_FOR = timedelta(hours=24)
ABANDONED = timedelta(minutes=5)
KEPT_HEADERS = (b"content-type", b"etag", b"location")
KEPT_BODY_MAX = 4 * 1024 * 1024  # a larger answer is sent but not kept (no admin answer is)


class Kept(msgspec.Struct, frozen=True):
    request: bytes
    status: int | None
    headers: list[tuple[str, str]] | None
    body: bytes | None


class Idempotency:
    def __init__(self, clock: Clock, max_body_bytes: int) -> None:
        self.clock = clock
        self.max_body_bytes = max_body_bytes

    @staticmethod
    def applies(scope: Scope) -> bool:
        return scope["method"] == "POST" and any(name == HEADER for name, _ in scope["headers"])

    async def __call__(
        self, pool: asyncpg.Pool, scope: Scope, receive: Receive, send: Send, app: App
    ) -> None:
        owner, raw_key = _owner_and_key(scope)
        if owner is None:  # no token: the guard answers 401, and there is nothing to keep
            await app(scope, receive, send)
            return
        if not _valid(raw_key):
            detail = f"Idempotency-Key must be 1 to {KEY_MAX} visible ASCII characters"
            await _refuse(send, 400, detail)
            return
        key = raw_key.decode("ascii")
        body, complete = await _read_body(receive, self.max_body_bytes)
        receive = _replaying(body, receive, more=not complete)
        if not complete:  # too large: Litestar answers 413 and nothing is done
            await app(scope, receive, send)
            return
        request = _fingerprint(scope, body)
        now = self.clock.now()
        try:
            kept = await _claim(pool, owner, key, request, now)
        except DATABASE_UNAVAILABLE:
            await _answer(send, problem_messages(unavailable()))
            return
        if kept is None:
            await self._run(pool, owner, key, scope, receive, send, app)
        elif kept.request != request:
            detail = "this Idempotency-Key was used with another request; use a new key"
            await _refuse(send, 422, detail)
        elif kept.status is None:
            detail = "a request with this Idempotency-Key is still running; retry shortly"
            await _refuse(send, 409, detail)
        else:
            await _replay(send, kept)

    async def _run(
        self,
        pool: asyncpg.Pool,
        owner: bytes,
        key: str,
        scope: Scope,
        receive: Receive,
        send: Send,
        app: App,
    ) -> None:
        """Run the request, keeping its answer if it did something; else free the key."""
        status, size = 0, 0
        headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers, size
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in message.get("headers", ())
                    if name.lower() in KEPT_HEADERS
                ]
            elif message["type"] == "http.response.body" and size <= KEPT_BODY_MAX:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
            await send(message)

        kept = False
        try:
            await app(scope, receive, capture)
            if 200 <= status < 300 and size <= KEPT_BODY_MAX:
                await pool.execute(
                    """
                    UPDATE idempotency_keys SET status = $3, headers = $4, body = $5
                     WHERE owner = $1 AND key = $2
                    """,
                    owner, key, status, headers, b"".join(chunks),
                )  # fmt: skip
                kept = True
        finally:
            # The answer has gone: if the database went with it, the key is taken over once
            # ABANDONED has passed.
            with contextlib.suppress(*DATABASE_UNAVAILABLE):
                if not kept:
                    await pool.execute(
                        "DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2", owner, key
                    )


async def _claim(
    pool: asyncpg.Pool, owner: bytes, key: str, request: bytes, now: datetime
) -> Kept | None:
    """None when this request now holds the key (new, expired or abandoned); else what the key
    holds. A key freed between the two statements (its first request failed) is claimed again;
    one that keeps changing hands answers as still running."""
    for _ in range(3):
        claimed = await pool.fetchval(
            """
            INSERT INTO idempotency_keys (owner, key, request, created_at)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (owner, key) DO UPDATE
               SET request = EXCLUDED.request, created_at = EXCLUDED.created_at,
                   status = NULL, headers = NULL, body = NULL
             WHERE idempotency_keys.created_at < $5
                OR (idempotency_keys.status IS NULL AND idempotency_keys.created_at < $6)
            RETURNING true
            """,
            owner, key, request, now, now - KEPT_FOR, now - ABANDONED,
        )  # fmt: skip
        if claimed:
            return None
        row = await pool.fetchrow(
            """
            SELECT request, status, headers, body
              FROM idempotency_keys WHERE owner = $1 AND key = $2
            """,
            owner,
            key,
        )
        if row is not None:
            return msgspec.convert(dict(row), Kept)
    return Kept(request, None, None, None)


async def delete_expired_keys(db: asyncpg.Connection, now: datetime) -> None:
    await db.execute("DELETE FROM idempotency_keys WHERE created_at < $1", now - KEPT_FOR)


def _owner_and_key(scope: Scope) -> tuple[bytes | None, bytes]:
    authorization, key = None, b""
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value
        elif name == HEADER:
            key = value
    owner = hashlib.sha256(authorization).digest() if authorization else None
    return owner, key


def _valid(key: bytes) -> bool:
    return 0 < len(key) <= KEY_MAX and all(byte in KEY_CHARACTERS for byte in key)


def _fingerprint(scope: Scope, body: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The body, and whether it is all there: reading stops past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return b"".join(chunks), False
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replaying(body: bytes, receive: Receive, more: bool) -> Receive:
    """`receive` with what was read from it given back first."""
    given = False

    async def again() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": more}

    return again


async def _replay(send: Send, kept: Kept) -> None:
    body = kept.body or b""
    headers: Headers = [
        *((name.encode("latin-1"), value.encode("latin-1")) for name, value in kept.headers or ()),
        (b"content-length", str(len(body)).encode()),
        (b"idempotent-replayed", b"true"),
    ]
    await _answer(
        send,
        [
            {"type": "http.response.start", "status": kept.status, "headers": headers},
            {"type": "http.response.body", "body": body},
        ],
    )


async def _refuse(send: Send, status: int, detail: str) -> None:
    await _answer(send, problem_messages(ProblemError(status, detail, field="Idempotency-Key")))


async def _answer(send: Send, messages: list[Message]) -> None:
    for message in messages:
        await send(message)
