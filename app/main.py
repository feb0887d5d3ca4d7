"""The application factory and its lifespan."""

import asyncio
import contextlib
import gc
import os
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide

from app.audit.routes import AuditController
from app.cache import Freshness, PublicCache, keep_listening
from app.calendar.routes import CalendarController
from app.clock import Clock
from app.content.routes import ContentController
from app.content.view_counter import ViewCounter
from app.db import Replicas, create_pool, provide_connection, provide_reader
from app.editors_choice.routes import EditorsChoiceController
from app.errors import EXCEPTION_HANDLERS, JSONRequest
from app.events.worker import Heartbeat, run_worker
from app.feeds.routes import FeedController
from app.health import DRAIN_SIGNAL, Drain, live, ready
from app.interviews.parts import InterviewPartsController
from app.interviews.routes import InterviewController
from app.logs import LineWriter
from app.logs import configure as configure_logging
from app.metrics import Counts, get_metrics, process_gone, sync_process
from app.openapi import StructExamples, openapi_config
from app.people.routes import PeopleController
from app.preview.routes import PreviewController
from app.proxies import TrustedProxies, provide_client
from app.query_params import StrictQueries
from app.redirects.moved import SlugMoved, redirect_moved
from app.redirects.routes import RedirectController
from app.search.language import keep_site_language
from app.search.routes import SearchController
from app.series.routes import SeriesController
from app.settings import Settings
from app.site import Site
from app.sitemaps.routes import SitemapController
from app.telemetry import Telemetry
from app.tokens.routes import TokenController
from app.trash.routes import TrashController
from app.webhooks.routes import WebhookController


async def _finish(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    """Ask a background task to stop and wait until it has (the worker ends its round)."""
    stop.set()
    await task


async def _stop(task: asyncio.Task[None]) -> None:
    """Cancel a background task and let it finish (the view counter flushes on its way out)
    before the pool it uses is closed."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


METRICS_SYNC_SECONDS = 1.0


def provide_now(state: State) -> datetime:
    return state.clock.now()  # type: ignore[no-any-return]


def provide_views(state: State) -> ViewCounter:
    return state.views  # type: ignore[no-any-return]


def _always(value: object) -> Provide:
    """A dependency that is this one object for every request."""
    return Provide(lambda: value, use_cache=True, sync_to_thread=False)


def create_app(
    settings: Settings,
    *,
    pool: asyncpg.Pool | None = None,
    clock: Clock | None = None,
    log: LineWriter | None = None,
    drain_on: signal.Signals | None = None,
) -> PublicCache:
    """The service: the public response cache in front of the Litestar app (its `.app`).

    Tests pass their own pool and clock; `colloquy serve` passes the line writer that takes
    the access records (see app/logs.py), tests one of their own or none. `drain_on`: the
    signal on which readiness turns 503 ahead of a shutdown (`colloquy serve`, app/health.py)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if log is not None:  # last out: what the worker and the pool log as they stop
                stack.callback(log.flush)
            if app.state.pool is None:
                if settings.database_url is None:
                    raise RuntimeError("create_app needs settings.database_url or a pool")
                app.state.pool = await create_pool(settings.database_url, settings.pool_size)
                stack.push_async_callback(app.state.pool.close)
            if settings.read_database_url:
                app.state.replicas = await Replicas.open(
                    settings.read_database_url,
                    settings.pool_size,
                    app.state.pool,
                    app.state.clock,
                    settings.max_replica_lag,
                )
                stack.push_async_callback(app.state.replicas.close)
            background = [
                keep_site_language(app.state.pool, settings.site_language),
                app.state.views.run(app.state.pool),
                keep_listening(settings.database_url or "", app.state.freshness),
            ]
            for work in background:
                stack.push_async_callback(_stop, asyncio.create_task(work))
            if settings.run_worker:  # stopped first: it uses the pool to its round's end
                stop_worker = asyncio.Event()
                worker = run_worker(
                    app.state.pool, app.state.clock, settings, app.state.heartbeat, stop_worker
                )
                stack.push_async_callback(_finish, asyncio.create_task(worker), stop_worker)
            if drain_on is not None:
                loop = asyncio.get_running_loop()
                loop.add_signal_handler(drain_on, app.state.drain.start)
                stack.callback(loop.remove_signal_handler, drain_on)
            stack.callback(process_gone)
            stack.push_async_callback(_stop, asyncio.create_task(_sync_metrics(app.state)))
            yield

    # Their `db` may be a read replica's (app/db.py); every other route's is the primary's.
    public_reads = Router(
        "/",
        route_handlers=[
            CalendarController,
            ContentController,
            SearchController,
            FeedController,
            SitemapController,
        ],
        dependencies={"db": Provide(provide_reader)},
    )
    app = Litestar(
        route_handlers=[
            live,
            ready,
            get_metrics,
            SeriesController,
            PeopleController,
            InterviewController,
            InterviewPartsController,
            TokenController,
            EditorsChoiceController,
            public_reads,
            RedirectController,
            PreviewController,
            WebhookController,
            AuditController,
            TrashController,
        ],
        dependencies={
            "db": Provide(provide_connection),
            "now": Provide(provide_now, sync_to_thread=False),
            "client": Provide(provide_client, sync_to_thread=False),
            "settings": _always(settings),
            "site": _always(Site.of(settings)),
            "views": Provide(provide_views, sync_to_thread=False),
        },
        state=State(fresh_state(settings, pool=pool, clock=clock, log=log)),
        lifespan=[lifespan],
        logging_config=None,  # app/logs.py configures logging, once per process
        before_request=StrictQueries(),
        exception_handlers={**EXCEPTION_HANDLERS, SlugMoved: redirect_moved},
        request_class=JSONRequest,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config("/docs"),
        plugins=[StructExamples()],
    )
    return with_cache(app)


def fresh_state(
    settings: Settings,
    *,
    pool: asyncpg.Pool | None,
    clock: Clock | None,
    log: LineWriter | None,
) -> dict[str, Any]:
    """Everything an app keeps between requests, new: what `create_app` starts with, and what
    the tests give one app afresh for each test (building the app anew takes ~0.15 s)."""
    return {
        "settings": settings,
        "clock": clock or Clock(),
        "pool": pool,
        "replicas": None,  # Replicas when COLLOQUY_READ_DATABASE_URL is set: see the lifespan
        "views": ViewCounter(),
        "proxies": TrustedProxies(settings.trusted_proxies),
        "metrics_allow": TrustedProxies(settings.metrics_allow),
        "telemetry": Telemetry(
            TrustedProxies(settings.trusted_proxies),
            log,
            log is not None and log.as_json,
        ),
        "counts": Counts(),
        "pool_waiting": 0,
        "freshness": Freshness(),
        "heartbeat": Heartbeat(),
        "drain": Drain(),
    }


def with_cache(app: Litestar) -> PublicCache:
    """The public response cache in front of `app`, and known to it."""
    service = PublicCache(app)
    app.state.cache = service
    return service


async def _sync_metrics(state: State) -> None:
    """This process's numbers into the metrics every second, so that another process that is
    asked for /metrics reports them too."""
    while True:
        await asyncio.sleep(METRICS_SYNC_SECONDS)
        sync_process(state)


def app_from_environment() -> PublicCache:
    """The app as `colloquy serve` runs it, configured from the environment."""
    settings = Settings.from_env(os.environ)
    log = configure_logging(settings)
    # Access records are INFO records: COLLOQUY_LOG_LEVEL=warning turns them off.
    access = log if settings.log_level in ("debug", "info") else None
    service = create_app(settings, log=access, drain_on=DRAIN_SIGNAL)
    service.app.on_startup.append(_spare_the_collector)
    return service


def _spare_the_collector() -> None:
    """Leave what start-up made (modules, routes, schemas, the pool) out of the collector's
    full passes. It lives as long as the process, and scanning it again and again stalled
    requests for ~50 ms each time: a p99 of 30 ms instead of 3 ms in bench/run.py."""
    gc.collect()
    gc.freeze()
