"""Liveness and readiness, for orchestrators and the Docker HEALTHCHECK."""

import msgspec
from litestar import Response, get
from litestar.datastructures import State


class Health(msgspec.Struct):
    status: str


@get("/health/live", tags=["health"])
async def live() -> Health:
    """The process answers."""
    return Health("ok")


@get("/health/ready", tags=["health"])
async def ready(state: State) -> Response[Health]:
    """The database answers too."""
    try:
        async with state.pool.acquire(timeout=2) as db:
            await db.fetchval("SELECT 1")
    except Exception:  # any failure to reach the database means not ready
        return Response(Health("database unavailable"), status_code=503)
    return Response(Health("ok"))
