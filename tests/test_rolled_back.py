"""A transaction PostgreSQL itself breaks off (a serialization failure, a deadlock, a replica's
recovery conflict: SQLSTATE class 40) answers 503 with Retry-After, never 500: the same
request succeeds when tried again, and nothing was written.

The failure here is a real one: a repeatable-read transaction updating a row that another
committed a change to after its snapshot was taken."""

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import httpx
import pytest
from litestar import Litestar, post

from app.errors import EXCEPTION_HANDLERS, PROBLEM_JSON


@pytest.fixture
async def series_id(db: asyncpg.Connection) -> UUID:
    found: UUID = await db.fetchval(
        """
        INSERT INTO series (slug, title, description, created_at, updated_at)
        VALUES ('contested', 'Contested', '', now(), now()) RETURNING id
        """
    )
    return found


@pytest.fixture
async def client(pool: asyncpg.Pool, series_id: UUID) -> AsyncIterator[httpx.AsyncClient]:
    @post("/rename", status_code=204)
    async def rename() -> None:
        async with pool.acquire() as mine, pool.acquire() as theirs:
            repeatable_read = mine.transaction(isolation="repeatable_read")
            await repeatable_read.start()
            try:
                await mine.fetchval("SELECT title FROM series WHERE id = $1", series_id)
                await theirs.execute("UPDATE series SET title = 'Theirs' WHERE id = $1", series_id)
                await mine.execute("UPDATE series SET title = 'Mine' WHERE id = $1", series_id)
            finally:
                await repeatable_read.rollback()

    app = Litestar([rename], exception_handlers=EXCEPTION_HANDLERS)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_a_serialization_failure_is_a_503_to_try_again(
    client: httpx.AsyncClient, db: asyncpg.Connection, series_id: UUID
) -> None:
    response = await client.post("/rename")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["retry-after"] == "1"
    assert "try again" in response.json()["detail"]
    title = await db.fetchval("SELECT title FROM series WHERE id = $1", series_id)
    assert title == "Theirs"  # the other transaction's change stands; the broken one left none
