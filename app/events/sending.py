"""Sending deliveries: at least once, signed, with exponential backoff, never blocking.

A delivery is claimed with a lease (its next attempt moved two minutes on) before it is sent
outside any transaction; if this process dies meanwhile, another takes it up when the lease
runs out. Receivers dedupe by the event id.

Backoff: 30 s, then doubling, 13 attempts over about 34 hours, then the delivery is failed.
"""

import asyncio
import hashlib
import hmac
import time
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import httpx
import msgspec

from app.clock import Clock
from app.webhooks.targets import resolved_refusal

TIMEOUT_SECONDS = 10.0
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
MAX_ATTEMPTS = 13
SIGNATURE_HEADER = "Colloquy-Signature"


class Claimed(msgspec.Struct):
    id: UUID
    event_id: UUID
    event_type: str
    target_url: str
    content_type: str
    body: bytes
    attempts: int
    secret: str | None  # None for WebSub pings, which the operator configured


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return FIRST_RETRY * (1 << (attempts - 1))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as in the README."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


async def claim(pool: asyncpg.Pool, now: datetime, limit: int) -> list[Claimed]:
    async with pool.acquire() as db:
        rows = await db.fetch(
            """
            UPDATE deliveries d
               SET next_attempt_at = $1 + $3::interval, attempts = d.attempts + 1, updated_at = $1
              FROM (SELECT id FROM deliveries
                     WHERE status = 'pending' AND next_attempt_at <= $1
                       AND (webhook_id IS NULL
                            OR webhook_id IN (SELECT id FROM webhooks WHERE active))
                     ORDER BY next_attempt_at
                     LIMIT $2
                       FOR UPDATE SKIP LOCKED) due
             WHERE d.id = due.id
            RETURNING d.id, d.event_id, d.content_type, d.body, d.attempts,
                      -- retries follow the subscription's URL as it is now
                      coalesce((SELECT url FROM webhooks w WHERE w.id = d.webhook_id),
                               d.target_url) AS target_url,
                      (SELECT type FROM events e WHERE e.id = d.event_id) AS event_type,
                      (SELECT secret FROM webhooks w WHERE w.id = d.webhook_id) AS secret
            """,
            now, limit, LEASE,
        )  # fmt: skip
    return [msgspec.convert(row, Claimed, from_attributes=True) for row in rows]


async def send(
    pool: asyncpg.Pool, client: httpx.AsyncClient, clock: Clock, delivery: Claimed,
    allow_private: bool,
) -> None:  # fmt: skip
    """One attempt, logged; then succeeded, retried later, or failed for good."""
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = None
    final = False
    try:
        # WebSub pings (no secret) go to the hub the operator configured.
        refusal = None
        if delivery.secret is not None:
            refusal = await resolved_refusal(delivery.target_url, allow_private)
        if refusal:
            error, final = refusal, True
        else:
            async with asyncio.timeout(TIMEOUT_SECONDS):  # the whole attempt, not each read
                response = await client.post(
                    delivery.target_url, content=delivery.body, headers=_headers(delivery, clock)
                )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"the receiver answered {status_code}"
    except TimeoutError:
        error = f"no answer within {TIMEOUT_SECONDS:g} s"
    except (httpx.HTTPError, OSError) as failure:
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
    await _record(pool, delivery, clock.now(), status_code, error, started, final=final)


def _headers(delivery: Claimed, clock: Clock) -> dict[str, str]:
    headers = {"Content-Type": delivery.content_type, "User-Agent": "Colloquy-Webhooks/1"}
    if delivery.secret is not None:
        headers |= {
            "Colloquy-Event-Id": str(delivery.event_id),
            "Colloquy-Event-Type": delivery.event_type,
            "Colloquy-Delivery-Id": str(delivery.id),
            SIGNATURE_HEADER: signature(
                delivery.secret, int(clock.now().timestamp()), delivery.body
            ),
        }
    return headers


async def _record(
    pool: asyncpg.Pool, delivery: Claimed, now: datetime, status_code: int | None,
    error: str | None, started: float, *, final: bool,
) -> None:  # fmt: skip
    if error is None:
        status, next_attempt = "succeeded", now
    elif final or delivery.attempts >= MAX_ATTEMPTS:
        status, next_attempt = "failed", now
    else:
        status, next_attempt = "pending", now + retry_delay(delivery.attempts)
    async with pool.acquire() as db, db.transaction():
        await db.execute(
            """
            INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, duration_ms,
                                           error)
            VALUES ($1, $2, $3, $4, $5)
            """,
            delivery.id, now, status_code, round((time.monotonic() - started) * 1000), error,
        )  # fmt: skip
        await db.execute(
            """
            UPDATE deliveries SET status = $2, next_attempt_at = $3, updated_at = $4
             WHERE id = $1
            """,
            delivery.id, status, next_attempt, now,
        )  # fmt: skip


class Sender:
    """Keeps up to `concurrency` deliveries in flight; a slow receiver holds one slot only."""

    def __init__(
        self, pool: asyncpg.Pool, clock: Clock, allow_private: bool, concurrency: int = 10
    ) -> None:
        self.pool = pool
        self.clock = clock
        self.allow_private = allow_private
        self.concurrency = concurrency
        self.in_flight: set[asyncio.Task[None]] = set()

    async def start_due(self, client: httpx.AsyncClient) -> int:
        room = self.concurrency - len(self.in_flight)
        if room <= 0:
            return 0
        claimed = await claim(self.pool, self.clock.now(), room)
        for delivery in claimed:
            task = asyncio.create_task(
                send(self.pool, client, self.clock, delivery, self.allow_private)
            )
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        return len(claimed)

    async def drain(self) -> None:
        """Wait for what is in flight (tests, and a clean shutdown)."""
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
