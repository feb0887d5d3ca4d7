"""Liveness and readiness, for orchestrators, load balancers and the Docker HEALTHCHECK.

Live: the process answers. Ready: this process can do its whole job, which is
- the database answers, and its schema is at the head revision (a `serve --no-migrate` started
  before the migrations ran waits for them here instead of failing its requests);
- the change-notice connection is up: without it the public cache serves nothing, and writes
  made through other processes are not seen;
- the worker, when it runs in this process, is not late for its round by more than
  WORKER_LATE_SECONDS (it is stuck, or dead);
- the server is not draining for a shutdown (`Drain`).
The body names each check and its state, for the person reading it. It also says how far behind
each read replica is (COLLOQUY_READ_DATABASE_URL), but a replica never makes the process
unready: public reads go to the primary while a replica lags or is down (app/db.py).
"""

import signal
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Literal

import asyncpg
import msgspec
from alembic.script import ScriptDirectory
from litestar import Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from app.db import QUESTION_SECONDS, ReplicaReadiness, alembic_config, check_replicas
from app.events.worker import Heartbeat

if TYPE_CHECKING:  # not imported at run time: `colloquy serve` imports this module, and must
    # not import prometheus_client (app/metrics.py) before it chooses its multiprocess mode
    from app.cache import Freshness

# `colloquy serve` sends this to each server process when it is asked to stop (app/cli.py).
DRAIN_SIGNAL = signal.SIGUSR1
WORKER_LATE_SECONDS = 10
OK = "ok"
NOT_HERE = "not run in this process"


class Drain:
    """Set once the server is stopping: readiness answers 503 from then on, so that load
    balancers send elsewhere, while the requests that still come are served as usual."""

    def __init__(self) -> None:
        self.draining = False

    def start(self) -> None:
        self.draining = True


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct, omit_defaults=True):
    """Each check's state: "ok", or what is wrong; and each read replica's, when there are."""

    status: Literal["ok", "unavailable"]
    database: str
    schema: str
    change_notices: str
    worker: str
    shutdown: str
    replicas: list[ReplicaReadiness] = msgspec.field(default_factory=list)


@get("/health/live", tags=["health"], summary="Liveness", operation_id="getLiveness")
async def live() -> Health:
    """The process answers."""
    return Health("ok")


@get(
    "/health/ready",
    tags=["health"],
    summary="Readiness",
    operation_id="getReadiness",
    responses={
        503: ResponseSpec(Readiness, description="Not ready: the body names the check that fails")
    },
)
async def ready(state: State) -> Response[Readiness]:
    """200 when this process can do its whole job; 503, with the check that fails, when not."""
    database, schema = await check_database(state.pool)
    checks = {
        "database": database,
        "schema": schema,
        "change_notices": check_notices(state.freshness),
        "worker": check_worker(state.heartbeat, state.clock.now()),
        "shutdown": "draining" if state.drain.draining else OK,
    }
    ok = all(value in (OK, NOT_HERE) for value in checks.values())
    replicas = await check_replicas(state.replicas) if state.replicas is not None else []
    return Response(
        Readiness("ok" if ok else "unavailable", **checks, replicas=replicas),
        status_code=200 if ok else 503,
    )


@cache
def head_revision() -> str:
    """The newest migration's revision, read once from migrations/."""
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None
    return head


async def check_database(pool: asyncpg.Pool) -> tuple[str, str]:
    """The database's state and its schema's."""
    try:
        async with pool.acquire(timeout=QUESTION_SECONDS) as db:
            revision = await db.fetchval(
                "SELECT version_num FROM alembic_version", timeout=QUESTION_SECONDS
            )
    except asyncpg.UndefinedTableError:
        return OK, "not migrated (run colloquy migrate)"
    except Exception:  # any failure to reach the database means not ready
        return "unreachable", "unknown"
    if revision != head_revision():
        return OK, f"at {revision}, not at {head_revision()} (run colloquy migrate)"
    return OK, OK


def check_notices(freshness: "Freshness") -> str:
    return OK if freshness.listening else "not listening"


def check_worker(heartbeat: Heartbeat, now: datetime) -> str:
    late = heartbeat.late(now)
    if late is None:
        return NOT_HERE
    if late.total_seconds() > WORKER_LATE_SECONDS:
        return f"late for its round by {late.total_seconds():.0f} s"
    return OK
