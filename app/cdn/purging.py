"""Purges: written in the transaction of the change they follow, sent by the worker to every
target with retries.

The worker writes an interview's purge as it dispatches the event (app/events/dispatch.py), so
a scheduled publication purges at its time, and once however many workers run; triggers write a
series', a person's and the editors' choice's (migration 0014). A round claims the due purges
with a lease (their next attempt moved LEASE on) and sends their keys together, outside any
transaction: if the process dies meanwhile, another sends them when the lease runs out. Every
target must accept the keys for the purges to be done (they are then deleted); otherwise all are
sent again later (a purge is idempotent), after 5 s, doubling up to 10 minutes, for about a day
and a half, then marked failed with the last error. With no target, due purges are simply done.

Purges are sent after the change has committed, but another instance may not have heard its
change notice yet when the CDN asks it again, and answer from its cache what the purge meant to
drop, for the CDN to keep a day. So each purge is sent once more REPEAT_AFTER its first success,
by which time every listening instance has heard (notices take milliseconds; an instance that
is not listening serves nothing from its cache).
"""

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

from app.cdn.keys import ALL, LISTS, interview_key, person_key, series_key, tag_key
from app.cdn.targets import Target
from app.clock import Clock
from app.events.http import HTTP_ERRORS, Connections

BATCH = 100
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(minutes=10)
REPEAT_AFTER = timedelta(seconds=2)
FAILED_KEPT = timedelta(days=7)
MAX_ATTEMPTS = 200
TIMEOUT_SECONDS = 10.0
DATABASE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)

log = logging.getLogger("colloquy.purges")


async def interview_keys(db: asyncpg.Connection, interview_id: UUID) -> list[str]:
    """What a change to the interview purges: itself, the lists of its series, people and tags
    it may have joined, and every list of all public interviews."""
    row = await db.fetchrow(
        """
        SELECT i.series_id, i.tags,
               ARRAY(SELECT ip.person_id FROM interview_participants ip
                      WHERE ip.interview_id = i.id) AS people
          FROM interviews i
         WHERE i.id = $1
        """,
        interview_id,
    )
    keys = [interview_key(interview_id), *LISTS]
    if row is not None:
        keys.append(series_key(row["series_id"]))
        keys.extend(person_key(person_id) for person_id in row["people"])
        keys.extend(tag_key(tag) for tag in row["tags"])
    return keys


async def forget_failed_purges(db: asyncpg.Connection, now: datetime) -> None:
    """Failed purges are kept a week for whoever looks into them, then forgotten."""
    await db.execute(
        "DELETE FROM purges WHERE status = 'failed' AND created_at < $1", now - FAILED_KEPT
    )


async def insert_purge(db: asyncpg.Connection, keys: list[str], now: datetime) -> None:
    await db.execute("INSERT INTO purges (keys, created_at) VALUES ($1, $2)", keys, now)


class Claimed(msgspec.Struct):
    id: UUID
    keys: list[str]
    attempts: int


async def claim_purges(pool: asyncpg.Pool, now: datetime, limit: int) -> list[Claimed]:
    """Up to `limit` due purges, leased."""
    async with pool.acquire() as db:
        rows = await db.fetch(
            """
            WITH due AS (
                SELECT id FROM purges
                 WHERE status = 'pending' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at, created_at
                 LIMIT $2
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE purges p SET next_attempt_at = $1 + $3::interval, attempts = p.attempts + 1
              FROM due
             WHERE p.id = due.id
            RETURNING p.id, p.keys, p.attempts
            """,
            now,
            limit,
            LEASE,
        )
    return [Claimed(row["id"], row["keys"], row["attempts"]) for row in rows]


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return min(FIRST_RETRY * (1 << min(attempts - 1, 16)), LONGEST_RETRY)


async def settle(
    pool: asyncpg.Pool, claimed: list[Claimed], error: str | None, now: datetime, repeat: bool
) -> None:
    """Sent purges wait for their repeat (if `repeat`), or go once repeated; failed ones wait
    for their next attempt, or fail for good."""
    async with pool.acquire() as db:
        if error is None:
            ids = [p.id for p in claimed]
            await db.execute(
                """
                WITH repeated AS (
                    UPDATE purges SET repeat_due = false, attempts = 0, next_attempt_at = $2
                     WHERE id = ANY($1) AND repeat_due AND $3
                    RETURNING id
                )
                DELETE FROM purges WHERE id = ANY($1) AND id NOT IN (SELECT id FROM repeated)
                """,
                ids,
                now + REPEAT_AFTER,
                repeat,
            )
            return
        await db.executemany(
            """
            UPDATE purges SET next_attempt_at = $2, last_error = $3,
                              status = CASE WHEN attempts >= $4 THEN 'failed' ELSE status END
             WHERE id = $1
            """,
            [(p.id, now + retry_delay(p.attempts), error, MAX_ATTEMPTS) for p in claimed],
        )


class Purger:
    """Sends due purges, one round at a time in a task of its own, so that a slow CDN API holds
    up neither event dispatch nor webhook deliveries."""

    def __init__(self, pool: asyncpg.Pool, clock: Clock, targets: Sequence[Target]) -> None:
        self.pool = pool
        self.clock = clock
        self.targets = targets
        self.connections = Connections(checked=False)  # the operator configured the targets
        self._round: asyncio.Task[None] | None = None

    def start_due(self) -> None:
        """Start a round unless one is under way."""
        if self._round is None or self._round.done():
            self._round = asyncio.create_task(self._send_due())

    async def drain(self) -> None:
        """Wait for the round under way (tests, and a clean shutdown)."""
        if self._round is not None:
            await self._round

    def close(self) -> None:
        self.connections.close()

    async def _send_due(self) -> None:
        try:
            while claimed := await claim_purges(self.pool, self.clock.now(), BATCH):
                keys = sorted({key for purge in claimed for key in purge.keys} | {ALL})
                error = await self.purge(keys)
                await settle(self.pool, claimed, error, self.clock.now(), bool(self.targets))
                if error is not None:
                    log.warning("purge failed, retrying", extra={"error": error})
                    return
        except DATABASE_ERRORS as failure:
            # The worker's round notes the outage; leased purges go again after LEASE.
            log.warning("purges not claimed or settled: %s", failure)

    async def purge(self, keys: list[str]) -> str | None:
        """Send the keys to every target; the first error, None when all accepted them."""
        for target in self.targets:
            for request in target.requests(keys):
                try:
                    async with asyncio.timeout(TIMEOUT_SECONDS):
                        status = await self.connections.send(
                            request.method, request.url, request.headers, request.body
                        )
                except TimeoutError:
                    return f"{request.url}: no answer within {TIMEOUT_SECONDS:g} s"
                except HTTP_ERRORS as failure:
                    return f"{request.url}: {type(failure).__name__}: {failure}"
                if not 200 <= status < 300:
                    return f"{request.url} answered {status}"
        return None
