"""With the database out of reach: 503 problems that say when to come back, never a 500."""

import socket
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.conftest import MovableClock

NEW_SERIES = {"title": "Thursday Interview"}


def free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def unreachable(settings: Settings, clock: MovableClock) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a pool whose server does not answer (nothing listens on its port)."""
    url = f"postgresql://colloquy:secret@127.0.0.1:{free_tcp_port()}/colloquy"
    pool = await asyncpg.create_pool(url, min_size=0, max_size=2)
    service = create_app(settings, pool=pool, clock=clock)
    transport = httpx.ASGITransport(app=service.app)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await pool.close()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/admin/v1/series", None),
        ("POST", "/admin/v1/series", NEW_SERIES),
        ("GET", "/health/ready", None),
        ("GET", "/content/v1/series", None),
    ],
)
async def test_an_unreachable_database_is_a_503_with_retry_after(
    unreachable: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    headers = {"Authorization": "Bearer cq_whatever"}
    response = await unreachable.request(method, path, json=body, headers=headers)
    assert response.status_code == 503, response.text
    if path != "/health/ready":
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert "database" in response.json()["detail"]
