"""Sending deliveries: at least once, signed, with exponential backoff, never blocking.

A delivery is claimed with a lease (its next attempt moved two minutes on) before it is sent
outside any transaction; if this process dies meanwhile, another takes it up when the lease
runs out. Receivers dedupe by the event id.

Backoff: 30 s, then doubling, 13 attempts over about 34 hours, then the delivery is failed.

Up to CONCURRENCY deliveries are in flight, at most PER_HOST of them to any one host: a slow
receiver holds only its own slots, and no receiver gets more than PER_HOST at once (per worker).
Connections are kept for the next delivery to the same origin, and a webhook's connection
goes only to an address that passed the target check (`app.events.http`).

Logs name a target by its origin only (`origin`): a URL's userinfo, path and query may hold
the receiver's secrets.
"""

import asyncio
import hashlib
import hmac
import logging
import time
from collections import Counter
from contextlib import suppress
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from app.clock import Clock
from app.events.http import HTTP_ERRORS, Connections
from app.webhooks.targets import RefusedTarget, origin, refusal

TIMEOUT_SECONDS = 10.0
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
MAX_ATTEMPTS = 13
SIGNATURE_HEADER = "Colloquy-Signature"
CONCURRENCY = 50
PER_HOST = 10
# A claim reads at most READ_AHEAD due deliveries, oldest first, and of those it ranks the first
# CANDIDATES whose host has room. So its cost is bounded, and hosts already at PER_HOST hold up
# others only behind a backlog of READ_AHEAD due deliveries of their own.
CANDIDATES = 200
READ_AHEAD = 5000
# The host of a URL, for PER_HOST: what follows the scheme and any userinfo, up to the port
# (for a URL that has none, ''; the attempt is refused).
HOST_PATTERN = r"^[^:/?#]+://(?:[^/?#]*@)?(\[[^]/?#]*\]|[^:/?#]*)"
# Errors that say the database is unavailable (or refusing): waited out, never fatal.
DATABASE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0

log = logging.getLogger("colloquy.deliveries")
# Attempts made by this process, by outcome (succeeded, retrying, failed), for the metrics.
OUTCOMES: Counter[str] = Counter()


class Claimed(msgspec.Struct):
    id: UUID
    event_id: UUID
    event_type: str
    target_url: str
    host: str  # as the claim grouped it, for PER_HOST
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


async def claim(
    pool: asyncpg.Pool, now: datetime, limit: int, busy: Counter[str] | None = None
) -> list[Claimed]:
    """Up to `limit` due deliveries, leased; with `busy` (deliveries in flight per host), no
    more of a host than takes it to PER_HOST."""
    busy = busy or Counter()
    async with pool.acquire() as db:
        rows = await db.fetch(
            """
            WITH targets AS MATERIALIZED (  -- the host of each webhook, worked out once
                SELECT id, lower(substring(url FROM $6)) AS host FROM webhooks WHERE active
            ), due AS (
                SELECT * FROM (
                    SELECT d.id, d.next_attempt_at, e.due_at AS event_at,
                           coalesce(t.host, lower(substring(d.target_url FROM $6)), '') AS host
                      FROM deliveries d
                      JOIN events e ON e.id = d.event_id
                      LEFT JOIN targets t ON t.id = d.webhook_id
                     WHERE d.status = 'pending' AND d.next_attempt_at <= $1
                       AND (d.webhook_id IS NULL OR t.id IS NOT NULL)
                     ORDER BY d.next_attempt_at
                     LIMIT $10
                ) ahead
                 WHERE host <> ALL ($8)
                 ORDER BY next_attempt_at
                 LIMIT $9
            ), ranked AS (
                SELECT id, host, next_attempt_at, event_at,
                       row_number() OVER (PARTITION BY host
                                          ORDER BY next_attempt_at, event_at, id) AS place
                  FROM due
            ), picked AS (
                SELECT r.id, r.host, r.next_attempt_at, r.event_at
                  FROM ranked r
                  LEFT JOIN unnest($4::text[], $5::int[]) AS busy (host, count)
                         ON busy.host = r.host
                 WHERE r.place <= $7 - coalesce(busy.count, 0)
                 ORDER BY r.next_attempt_at, r.event_at, r.id
                 LIMIT $2
            ), chosen AS (
                SELECT d.id, p.host, p.next_attempt_at, p.event_at
                  FROM picked p JOIN deliveries d ON d.id = p.id
                 WHERE d.status = 'pending' AND d.next_attempt_at <= $1
                   FOR UPDATE OF d SKIP LOCKED
            )
            UPDATE deliveries d
               SET next_attempt_at = $1 + $3::interval, attempts = d.attempts + 1, updated_at = $1
              FROM chosen
             WHERE d.id = chosen.id
            RETURNING d.id, d.event_id, d.content_type, d.body, d.attempts, chosen.host,
                      -- retries follow the subscription's URL as it is now
                      coalesce((SELECT url FROM webhooks w WHERE w.id = d.webhook_id),
                               d.target_url) AS target_url,
                      (SELECT type FROM events e WHERE e.id = d.event_id) AS event_type,
                      (SELECT secret FROM webhooks w WHERE w.id = d.webhook_id) AS secret,
                      chosen.next_attempt_at AS due_at, chosen.event_at
            """,
            now,  # $1
            limit,  # $2
            LEASE,  # $3
            list(busy),  # $4
            list(busy.values()),  # $5
            HOST_PATTERN,  # $6
            PER_HOST,  # $7
            [host for host, count in busy.items() if count >= PER_HOST],  # $8
            CANDIDATES,  # $9
            READ_AHEAD,  # $10
        )
    # Started in the order they came due, and of events at once, in the order those happened
    # (RETURNING has no order).
    rows.sort(key=lambda row: (row["due_at"], row["event_at"], row["id"]))
    return [msgspec.convert(row, Claimed, from_attributes=True) for row in rows]


class Outage:
    """The database going away: one line in the log when it goes and one when it is back, and
    pauses that grow (1 s, doubling, at most 30 s) in between, not a traceback every round."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.since: datetime | None = None
        self.pause = 0.0

    def failed(self, error: Exception) -> float:
        """Note a failure; how long to pause before the next round."""
        if self.since is None:
            self.since = self.clock.now()
            self.pause = FIRST_PAUSE
            log.error("database unavailable, backing off: %s", _describe(error))
        else:
            self.pause = min(self.pause * 2, LONGEST_PAUSE)
        return self.pause

    def over(self) -> None:
        """Note a round that went through."""
        if self.since is not None:
            seconds = (self.clock.now() - self.since).total_seconds()
            log.warning("database available again after %.0f s", seconds)
            self.since = None


class AttemptOutcome(msgspec.Struct):
    """One attempt's outcome, as the attempt log and the delivery record it."""

    delivery_id: UUID
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None
    status: str  # of the delivery after it
    next_attempt_at: datetime


class Sender:
    """Keeps up to `concurrency` deliveries in flight, at most PER_HOST to any one host.

    Attempts are recorded by one writer, all that have finished since its last write in one
    statement: under load, one statement records many."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Clock,
        allow_private: bool,
        concurrency: int = CONCURRENCY,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.pool = pool
        self.clock = clock
        self.allow_private = allow_private
        self.concurrency = concurrency
        self.timeout = timeout
        self.outage = Outage(clock)
        self.in_flight: dict[asyncio.Task[None], str] = {}  # each with its host
        self._finished = asyncio.Event()
        self._unrecorded: list[AttemptOutcome] = []
        self._writer: asyncio.Task[None] | None = None
        # Webhooks go through the target check unless private targets are allowed; WebSub
        # pings go to the hub the operator configured.
        self._hub = Connections(checked=False)
        self._webhooks = self._hub if allow_private else Connections(checked=True)

    async def __aenter__(self) -> "Sender":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.drain()
        self._webhooks.close()
        self._hub.close()

    async def start_due(self) -> int:
        """Claim what is due and has room, and start sending it; how many that was."""
        self._finished.clear()
        room = self.concurrency - len(self.in_flight)
        if room <= 0:
            return 0
        claimed = await claim(self.pool, self.clock.now(), room, Counter(self.in_flight.values()))
        for delivery in claimed:
            task = asyncio.create_task(self._send(delivery))
            self.in_flight[task] = delivery.host
            task.add_done_callback(self._done)
        return len(claimed)

    async def idle(self, seconds: float) -> None:
        """Wait `seconds`, or less if a delivery started before finishes: it leaves room."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._finished.wait(), seconds)

    async def drain(self) -> None:
        """Wait for what is in flight and its record (tests, and a clean shutdown)."""
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
        if self._writer is not None:
            await self._writer

    def _done(self, task: asyncio.Task[None]) -> None:
        del self.in_flight[task]
        self._finished.set()

    async def _send(self, delivery: Claimed) -> None:
        """One attempt, logged; then succeeded, retried later, or failed for good."""
        started = time.monotonic()
        status_code, error, final = await self._attempt(delivery)
        duration_ms = round((time.monotonic() - started) * 1000)
        now = self.clock.now()
        if error is None:
            status, next_attempt = "succeeded", now
        elif final or delivery.attempts >= MAX_ATTEMPTS:
            status, next_attempt = "failed", now
        else:
            status, next_attempt = "pending", now + retry_delay(delivery.attempts)
        outcome = "retrying" if status == "pending" else status
        OUTCOMES[outcome] += 1
        log.info(
            "delivery attempted",
            extra={
                "delivery_id": str(delivery.id),
                "event_type": delivery.event_type,
                "target": origin(delivery.target_url),
                "attempt": delivery.attempts,
                "status_code": status_code,
                "duration_ms": duration_ms,
                "outcome": outcome,
                "error": error,
                "next_attempt_at": next_attempt.isoformat() if status == "pending" else None,
            },
        )
        self._unrecorded.append(
            AttemptOutcome(delivery.id, now, status_code, duration_ms, error, status, next_attempt)
        )
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while self._unrecorded:
            attempts, self._unrecorded = self._unrecorded, []
            try:
                await record(self.pool, attempts)
            except DATABASE_ERRORS as failure:
                # Still leased: sent again when the lease runs out.
                self.outage.failed(failure)

    async def _attempt(self, delivery: Claimed) -> tuple[int | None, str | None, bool]:
        """The receiver's status, the error if any, and whether it is final."""
        # WebSub pings (no secret) go to the hub the operator configured.
        webhook = delivery.secret is not None
        if reason := refusal(delivery.target_url, self.allow_private or not webhook):
            return None, reason, True
        connections = self._webhooks if webhook else self._hub
        try:
            async with asyncio.timeout(self.timeout):  # the whole attempt, not each read
                status_code = await connections.post(
                    delivery.target_url, _headers(delivery, self.clock), delivery.body
                )
        except UnicodeError:  # a name IDNA cannot encode
            return None, "not a valid URL", True
        except RefusedTarget as refused:
            return None, str(refused), True
        except TimeoutError:
            return None, f"no answer within {self.timeout:g} s", False
        except HTTP_ERRORS as failure:
            return None, _describe(failure), False
        if not 200 <= status_code < 300:
            return status_code, f"the receiver answered {status_code}", False
        return status_code, None, False


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


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


async def record(pool: asyncpg.Pool, attempts: list[AttemptOutcome]) -> None:
    """Log the attempts and settle their deliveries, in one statement (so together or not at
    all)."""
    columns = list(zip(*(msgspec.structs.astuple(attempt) for attempt in attempts), strict=True))
    async with pool.acquire() as db:
        await db.execute(
            """
            WITH attempt AS (
                SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[],
                                     $5::text[], $6::text[], $7::timestamptz[])
                           AS a (delivery_id, attempted_at, status_code, duration_ms, error,
                                 status, next_attempt_at)
            ), logged AS (
                INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code,
                                               duration_ms, error)
                SELECT delivery_id, attempted_at, status_code, duration_ms, error FROM attempt
            )
            UPDATE deliveries d
               SET status = a.status, next_attempt_at = a.next_attempt_at,
                   updated_at = a.attempted_at
              FROM attempt a
             WHERE d.id = a.delivery_id
            """,
            *columns,
        )
