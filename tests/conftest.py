"""A real PostgreSQL for the whole run (embedded, or TEST_DATABASE_URL), migrated once.

Tests use the real pool and commit for real; every test starts from empty tables. Rolling back
a wrapping transaction instead would hide what several connections see of each other's writes.
"""

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.datastructures import State

from app.auth import Role, issue_token
from app.cache import CHANNEL, Freshness, PublicCache
from app.clock import Clock
from app.db import create_pool, migrate
from app.embedded import EmbeddedPostgres
from app.main import create_app, fresh_state, with_cache
from app.settings import Settings
from tests.factories import Headers, Json, make_interview, make_person, make_series

# Every table, those that refer to others first, so that emptying them in this order breaks no
# foreign key. DELETE, not TRUNCATE: on tables this small it takes 2 ms where TRUNCATE, which
# makes new files for every table and index, takes 80, and every test pays it.
TABLES = [
    "delivery_attempts",
    "deliveries",
    "webhooks",
    "events",
    "interview_views",
    "view_marks",
    "view_clients",
    "editors_choice",
    "interview_revisions",
    "preview_tokens",
    "idempotency_keys",
    "audit_records",
    "tokens",
    "teasers",
    "pull_quotes",
    "interview_participants",
    "interview_search",
    "interview_tags",
    "old_slugs",
    "interviews",
    "people",
    "series",
    "purges",  # last: emptying series and people writes purges (migration 0014)
]
EMPTY_TABLES = "; ".join(f"DELETE FROM {table}" for table in TABLES)
# As a superuser (the run's own cluster), with the triggers off: they would check foreign keys,
# write purges and slug history and notify for rows on their way out, which took most of it.
EMPTY_TABLES_QUICKLY = (
    f"BEGIN; SET LOCAL session_replication_role = replica; {EMPTY_TABLES}; COMMIT"
)


class MovableClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def traversable_temp_dir(prefix: str) -> Path:
    """A new folder that the embedded server's unprivileged user can reach, wherever the
    checkout lies (a clone under /root would not be)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


async def without_durability(url: str) -> None:
    """The run's own cluster is thrown away after it: waiting for each commit to reach the
    disk would only make every test wait (about half of the suite's time)."""
    connection = await asyncpg.connect(url)
    try:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            await connection.execute(f"ALTER SYSTEM SET {setting} = off")
        await connection.execute("SELECT pg_reload_conf()")
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if url := os.environ.get("TEST_DATABASE_URL"):
        migrate(url)
        yield url
        return
    # One fresh cluster per test run; several runs may go on at once.
    data_dir = traversable_temp_dir("colloquy-test-")
    try:
        with EmbeddedPostgres(data_dir).running() as url:
            asyncio.run(without_durability(url))
            migrate(url)
            yield url
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, 5)
    tables = await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    unknown = {row["tablename"] for row in tables} - {"alembic_version", *TABLES}
    assert not unknown, f"tests/conftest.py empties no {unknown} after each test: add to TABLES"
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
async def emptying(pool: asyncpg.Pool) -> str:
    """What empties the tables after each test: quickly where the run may (a superuser)."""
    superuser = await pool.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    return EMPTY_TABLES_QUICKLY if superuser else EMPTY_TABLES


@pytest.fixture
async def db(pool: asyncpg.Pool, emptying: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection for setting up and checking data; tables are emptied after the test."""
    async with pool.acquire() as connection:
        yield connection
        await connection.execute(emptying)  # one statement string: one transaction


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, base_url="https://news.example", max_body_bytes=65_536
    )


class Notices:
    """One LISTEN connection for the whole run, handing each change notice to the app of the test
    now running. Connecting and listening anew for every test took a quarter of its set-up."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.freshness: Freshness | None = None
        self.fences: dict[str, asyncio.Event] = {}

    def deliver(self, *notice: object) -> None:
        fence = self.fences.pop(str(notice[-1]), None)
        if fence is not None:
            fence.set()
        elif self.freshness is not None:
            self.freshness.changed(*notice)

    async def settle(self) -> None:
        """Return once every notice sent so far has been delivered."""
        fence = secrets.token_hex(8)
        self.fences[fence] = arrived = asyncio.Event()
        await self.connection.execute("SELECT pg_notify($1, $2)", CHANNEL, fence)
        await asyncio.wait_for(arrived.wait(), 5)

    async def follow(self, freshness: Freshness | None) -> None:
        """Hand notices to `freshness` from now on, and none that an earlier test's writes
        sent: notices arrive in commit order, so once a notice sent now has come back, every
        earlier one has been delivered."""
        self.freshness = None
        await self.settle()
        self.freshness = freshness
        if freshness is not None:
            freshness.changed()  # as the app's own listener does when it connects
            freshness.listening = True


@pytest.fixture(scope="session")
async def notices(database_url: str) -> AsyncIterator[Notices]:
    connection = await asyncpg.connect(database_url)
    notices = Notices(connection)
    await connection.add_listener(CHANNEL, notices.deliver)
    yield notices
    await connection.close()


# One Litestar app per distinct settings for the whole run: building one takes ~0.15 s, which
# over a thousand tests was most of the suite's time. Each test gives it fresh state and a fresh
# response cache (app.main.fresh_state, with_cache), so nothing a test leaves reaches the next.
ROUTES: dict[Settings, Litestar] = {}


@pytest.fixture
async def app(
    settings: Settings,
    pool: asyncpg.Pool,
    clock: MovableClock,
    db: asyncpg.Connection,
    notices: Notices,
) -> AsyncIterator[PublicCache]:
    """The app over the test pool and clock.

    Its lifespan is not run (its task group cannot span fixture set-up and tear-down); the one
    background task that reads need, the change listener, is stood in for by `notices`."""
    routes = ROUTES.get(settings)
    if routes is None:
        routes = ROUTES[settings] = create_app(settings, pool=pool, clock=clock).app
    routes.state = State(fresh_state(settings, pool=pool, clock=clock, log=None))
    service = with_cache(routes)
    await notices.follow(service.state.freshness)
    yield service
    notices.freshness = None


@pytest.fixture
async def client(app: PublicCache) -> AsyncIterator[httpx.AsyncClient]:
    """An unauthenticated client of the app, in the test's event loop."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client:
        yield test_client


async def bearer(db: asyncpg.Connection, role: Role, clock: Clock) -> dict[str, str]:
    _, secret = await issue_token(db, f"test {role}", role, clock.now())
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
async def admin(db: asyncpg.Connection, clock: MovableClock) -> dict[str, str]:
    return await bearer(db, Role.admin, clock)


@pytest.fixture
async def editor(db: asyncpg.Connection, clock: MovableClock) -> dict[str, str]:
    return await bearer(db, Role.editor, clock)


@pytest.fixture
async def contributor(db: asyncpg.Connection, clock: MovableClock) -> dict[str, str]:
    return await bearer(db, Role.contributor, clock)


# --- the data most tests start from, made through the Admin API ---------------------------------


@pytest.fixture
async def series(client: httpx.AsyncClient, editor: Headers) -> Json:
    return await make_series(client, editor)  # Thursdays 10:00 Brussels; the clock is on one


@pytest.fixture
async def lauri(client: httpx.AsyncClient, editor: Headers) -> Json:
    return await make_person(client, editor, "Lauri Nikulainen")


@pytest.fixture
async def murad(client: httpx.AsyncClient, editor: Headers) -> Json:
    return await make_person(client, editor, "Murad Muradov")


@pytest.fixture
def people(lauri: Json, murad: Json) -> tuple[Json, Json]:
    """The interviewer and the interviewee."""
    return lauri, murad


@pytest.fixture
async def interview(
    client: httpx.AsyncClient, editor: Headers, series: Json, lauri: Json, murad: Json
) -> Json:
    """A draft in which Lauri Nikulainen asks Murad Muradov one question, ready to publish."""
    return await make_interview(client, editor, series, lauri, murad)
