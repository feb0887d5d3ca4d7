"""Prometheus metrics, for the whole service however many processes serve it.

`colloquy serve` with several workers sets PROMETHEUS_MULTIPROC_DIR before they start: each
process then keeps its numbers in a file there and /metrics, answered by any of them, adds up
every live process's (prometheus_client's multiprocess mode). Counters and histograms are
summed; gauges of a process (cache size, pool use) are summed over live processes; the view
flush lag is the worst one; numbers read from the database (outbox lag, backlog, what is due)
are the latest any process read.

On the hot path a request costs a counter and a histogram update; the cache's own counts are
copied here once a second and at every scrape (`sync`), not touched per request.
"""

import os
import platform
import time
from collections import Counter as CounterOf
from datetime import datetime
from importlib.metadata import version
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response, get
from litestar.datastructures import State
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from app.db import ReplicaReadiness, check_replicas
from app.errors import DATABASE_UNAVAILABLE, ProblemError, problems
from app.events.sending import OUTCOMES
from app.outbox import InterviewPublished, event_type

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
# The text format every Prometheus reads (Litestar adds the charset).
CONTENT_TYPE = "text/plain; version=0.0.4"

REQUESTS = Counter(
    "colloquy_http_requests", "HTTP requests answered", ["route", "method", "status"]
)
LATENCY = Histogram(
    "colloquy_http_request_duration_seconds",
    "Time to answer, by route template",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_FLIGHT = Gauge(
    "colloquy_http_requests_in_flight", "Requests being answered", multiprocess_mode="livesum"
)
CACHE_ENTRIES = Gauge(
    "colloquy_cache_entries", "Public responses held", multiprocess_mode="livesum"
)
CACHE_BYTES = Gauge(
    "colloquy_cache_bytes", "Memory the held responses count for", multiprocess_mode="livesum"
)
CACHE_HITS = Counter("colloquy_cache_hits", "Public GETs answered from the cache")
CACHE_MISSES = Counter("colloquy_cache_misses", "Public GETs rendered")
CACHE_EVICTIONS = Counter("colloquy_cache_evictions", "Responses dropped to stay in budget")
EPOCH_BUMPS = Counter("colloquy_cache_epoch_bumps", "Times the cached responses were dropped")
POOL_SIZE = Gauge("colloquy_db_pool_size", "Open database connections", multiprocess_mode="livesum")
POOL_IN_USE = Gauge(
    "colloquy_db_pool_in_use", "Database connections lent out", multiprocess_mode="livesum"
)
POOL_WAITING = Gauge(
    "colloquy_db_pool_waiting", "Requests waiting for a connection", multiprocess_mode="livesum"
)
DB_ERRORS = Counter("colloquy_db_errors", "Failed database work, by kind", ["kind"])
OUTBOX_LAG = Gauge(
    "colloquy_outbox_lag_seconds",
    "Age of the oldest due event not yet dispatched (0 when none)",
    multiprocess_mode="mostrecent",
)
WEBHOOK_BACKLOG = Gauge(
    "colloquy_webhook_backlog",
    "Webhook deliveries due and not yet sent",
    multiprocess_mode="mostrecent",
)
PURGE_BACKLOG = Gauge(
    "colloquy_purge_backlog",
    "CDN purges due and not yet accepted by every target",
    multiprocess_mode="mostrecent",
)
PURGES_FAILED = Gauge(
    "colloquy_purges_failed",
    "CDN purges given up on after their retries (kept a week)",
    multiprocess_mode="mostrecent",
)
REPLICA_LAG = Gauge(
    "colloquy_replica_lag_seconds",
    "How long a read replica has been short of a position public reads needed (0: caught up)",
    ["replica"],
    multiprocess_mode="livemax",
)
REPLICA_BEHIND = Gauge(
    "colloquy_replica_behind_bytes",
    "Bytes of the primary's log a read replica has still to replay",
    ["replica"],
    multiprocess_mode="livemax",
)
REPLICA_UP = Gauge(
    "colloquy_replica_up",
    "1 when the read replica answered at the scrape",
    ["replica"],
    multiprocess_mode="livemin",
)
DELIVERIES = Counter(
    "colloquy_webhook_deliveries", "Webhook delivery attempts, by outcome", ["outcome"]
)
VIEW_FLUSH_LAG = Gauge(
    "colloquy_view_flush_lag_seconds",
    "Seconds since views were last written to the database",
    multiprocess_mode="livemax",
)
SCHEDULED_NEXT_HOUR = Gauge(
    "colloquy_scheduled_next_hour",
    "Interviews scheduled to appear within the next hour",
    multiprocess_mode="mostrecent",
)
READY = Gauge(
    "colloquy_ready",
    "1 when the process answering the scrape could reach the database and hears change notices",
    multiprocess_mode="mostrecent",
)
BUILD = Gauge(
    "colloquy_build_info", "Colloquy's version and Python's", ["version", "python"],
    multiprocess_mode="max",
)  # fmt: skip
BUILD.labels(version("colloquy"), platform.python_version()).set(1)


class RequestMetrics:
    """Counter and histogram children looked up once per route, method and status."""

    def __init__(self) -> None:
        self.counted: dict[tuple[str, str, int], Counter] = {}
        self.timed: dict[str, Histogram] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        counted = self.counted.get(key)
        if counted is None:
            counted = self.counted[key] = REQUESTS.labels(route, method, str(status))
        counted.inc()
        timed = self.timed.get(route)
        if timed is None:
            timed = self.timed[route] = LATENCY.labels(route)
        timed.observe(seconds)


class CacheNumbers(msgspec.Struct, frozen=True, kw_only=True):
    """What the response cache holds and has counted (app/cache.py `PublicCache.numbers`)."""

    entries: int
    bytes: int
    hits: int
    misses: int
    evictions: int
    epoch_bumps: int


class Counts:
    """What the cache and the delivery sender counted by the last sync: each sync adds what
    they counted since to the counters."""

    def __init__(self) -> None:
        self.cache = CacheNumbers(entries=0, bytes=0, hits=0, misses=0, evictions=0, epoch_bumps=0)
        self.outcomes: CounterOf[str] = CounterOf()

    def sync(self, cache: CacheNumbers) -> None:
        CACHE_ENTRIES.set(cache.entries)
        CACHE_BYTES.set(cache.bytes)
        CACHE_HITS.inc(cache.hits - self.cache.hits)
        CACHE_MISSES.inc(cache.misses - self.cache.misses)
        CACHE_EVICTIONS.inc(cache.evictions - self.cache.evictions)
        EPOCH_BUMPS.inc(cache.epoch_bumps - self.cache.epoch_bumps)
        self.cache = cache
        for outcome, count in list(OUTCOMES.items()):
            DELIVERIES.labels(outcome).inc(count - self.outcomes[outcome])
            self.outcomes[outcome] = count


def sync_process(state: State) -> None:
    """This process's numbers (in the app's state) into the metrics."""
    state.counts.sync(state.cache.numbers())
    IN_FLIGHT.set(state.telemetry.in_flight)
    pool: asyncpg.Pool | None = state.pool
    if pool is not None:
        POOL_SIZE.set(pool.get_size())
        POOL_IN_USE.set(pool.get_size() - pool.get_idle_size())
    POOL_WAITING.set(state.pool_waiting)
    VIEW_FLUSH_LAG.set(time.monotonic() - state.views.flushed_at)


async def read_database(db: asyncpg.Connection, now: datetime) -> None:
    """The service-wide numbers that live in the database."""
    row = await db.fetchrow(
        """
        SELECT (SELECT coalesce(extract(epoch FROM $1 - min(due_at)), 0)
                  FROM events WHERE dispatched_at IS NULL AND due_at <= $1) AS outbox_lag,
               (SELECT count(*) FROM deliveries
                 WHERE status = 'pending' AND next_attempt_at <= $1) AS backlog,
               (SELECT count(*) FROM events
                 WHERE type = $2 AND dispatched_at IS NULL
                   AND due_at > $1 AND due_at <= $1 + interval '1 hour') AS scheduled_next_hour,
               (SELECT count(*) FROM purges
                 WHERE status = 'pending' AND next_attempt_at <= $1) AS purge_backlog,
               (SELECT count(*) FROM purges WHERE status = 'failed') AS purges_failed
        """,
        now,
        event_type(InterviewPublished),
    )
    OUTBOX_LAG.set(max(0.0, float(row["outbox_lag"])))
    WEBHOOK_BACKLOG.set(row["backlog"])
    SCHEDULED_NEXT_HOUR.set(row["scheduled_next_hour"])
    PURGE_BACKLOG.set(row["purge_backlog"])
    PURGES_FAILED.set(row["purges_failed"])


def record_replicas(replicas: list[ReplicaReadiness]) -> None:
    """Each read replica as readiness found it."""
    for replica in replicas:
        REPLICA_UP.labels(replica.replica).set(0 if replica.state == "unreachable" else 1)
        REPLICA_LAG.labels(replica.replica).set(replica.lag_seconds)
        REPLICA_BEHIND.labels(replica.replica).set(replica.behind_bytes)


def process_gone() -> None:
    """A server process stopping: its gauges no longer count among the live ones."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def exposition() -> bytes:
    if not MULTIPROCESS:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


@get(
    "/metrics",
    tags=["operations"],
    summary="Prometheus metrics",
    media_type=CONTENT_TYPE,
    responses=problems(403),
)
async def get_metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    """Prometheus metrics of the whole service, for addresses in COLLOQUY_METRICS_ALLOW."""
    peer = request.client.host if request.client else ""
    if not state.metrics_allow.trusts_peer(peer):
        raise ProblemError(403, "metrics are only for addresses in COLLOQUY_METRICS_ALLOW")
    sync_process(state)
    try:
        async with state.pool.acquire(timeout=2) as db:
            await read_database(db, state.clock.now())
    except (*DATABASE_UNAVAILABLE, TimeoutError):
        DB_ERRORS.labels("unavailable").inc()  # the rest is still worth a scrape
        READY.set(0)
    else:
        READY.set(1 if state.cache.freshness.listening else 0)
    if state.replicas is not None:
        record_replicas(await check_replicas(state.replicas))
    return Response(exposition(), media_type=CONTENT_TYPE)
