"""Running an app's lifespan in the test's event loop, as granian does in a server process."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.cache import PublicCache


@asynccontextmanager
async def running(service: PublicCache) -> AsyncIterator[None]:
    """Start-up before the block, shut-down after it, through the ASGI lifespan protocol."""
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outgoing: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(service(scope, incoming.get, outgoing.put))
    await incoming.put({"type": "lifespan.startup"})
    started = await outgoing.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield
    finally:
        await incoming.put({"type": "lifespan.shutdown"})
        stopped = await outgoing.get()
        await task
        assert stopped["type"] == "lifespan.shutdown.complete", stopped
