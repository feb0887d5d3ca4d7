"""The client behind a reverse proxy: believed from trusted proxies only, an IPv6 /64 as one."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import asyncpg
import httpx
import pytest

from app.cache import PublicCache
from app.proxies import TrustedProxies
from app.settings import ConfigurationError, Settings
from tests.content import CONTENT, Headers, World
from tests.factories import Json

PROXY = "10.1.0.5"
DAY = date(2026, 11, 26)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        base_url="https://news.example",
        trusted_proxies=("10.1.0.0/24",),
    )


@asynccontextmanager
async def peer(app: PublicCache, host: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(host, 40_000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def views(app: PublicCache, slug: str, host: str, headers: list[Headers]) -> None:
    async with peer(app, host) as client:
        for extra in headers:
            response = await client.post(f"{CONTENT}/interviews/{slug}/views", headers=extra)
            assert response.status_code == 202, response.text
    await app.state.views.flush(app.state.pool)


async def counted(db: asyncpg.Connection, interview: Json) -> int:
    count: int | None = await db.fetchval(
        "SELECT sum(views) FROM interview_views WHERE interview_id = $1 AND day = $2",
        interview["id"],
        DAY,
    )
    return count or 0


@pytest.fixture
async def interview(app: PublicCache, editor: Headers) -> Json:
    async with peer(app, "127.0.0.1") as client:
        return await World(client, editor).published(
            "Thursday Interview", "Lauri Nikulainen", "Murad Muradov"
        )


async def test_readers_behind_a_trusted_proxy_are_told_apart(
    app: PublicCache, db: asyncpg.Connection, interview: Json
) -> None:
    """Before: every reader behind the proxy was the proxy, so three readers made one view."""
    readers = [{"X-Forwarded-For": f"203.0.113.{n}"} for n in (1, 2, 3)]
    await views(app, interview["slug"], PROXY, readers)
    assert await counted(db, interview) == 3


async def test_forwarded_headers_from_anyone_else_are_ignored(
    app: PublicCache, db: asyncpg.Connection, interview: Json
) -> None:
    spoofed = [{"X-Forwarded-For": f"203.0.113.{n}", "Forwarded": f"for=198.51.100.{n}"}
               for n in range(1, 30)]  # fmt: skip
    await views(app, interview["slug"], "192.0.2.7", spoofed)
    assert await counted(db, interview) == 1


async def test_an_ipv6_slash_64_is_one_reader(
    app: PublicCache, db: asyncpg.Connection, interview: Json
) -> None:
    """Before: each of a subscriber's 2^64 addresses counted anew."""
    for n in range(1, 40):
        await views(app, interview["slug"], f"2001:db8:1:2::{n:x}", [{}])
    await views(app, interview["slug"], "2001:db8:1:3::1", [{}])
    assert await counted(db, interview) == 2


def test_the_nearest_untrusted_hop_is_the_client() -> None:
    proxies = TrustedProxies(["10.1.0.0/24", "2001:db8:ff::/48"])
    xff = [(b"x-forwarded-for", b"1.1.1.1, 203.0.113.9, 10.1.0.7")]
    # 1.1.1.1 was written by the client itself; 203.0.113.9 connected to our proxies.
    assert proxies.client(PROXY, xff) == "203.0.113.9"
    assert proxies.client("198.51.100.1", xff) == "198.51.100.1"
    assert proxies.client(PROXY, []) == PROXY
    assert proxies.client(None, xff) == "unknown"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
        ('for="192.0.2.60:4711"', "192.0.2.60"),
        ('For="[2001:db8:cafe::17]:4711"', "2001:db8:cafe::/64"),
        ("for=192.0.2.43, for=198.51.100.17", "198.51.100.17"),
        ("for=192.0.2.43, for=10.1.0.9", "192.0.2.43"),
        ("for=unknown", PROXY),
        ("for=_hidden, for=192.0.2.1", "192.0.2.1"),
        ("for=garbage:::", PROXY),
    ],
)
def test_forwarded_is_read_as_rfc_7239_says(forwarded: str, client: str) -> None:
    headers = [(b"forwarded", forwarded.encode()), (b"x-forwarded-for", b"192.0.2.99")]
    assert TrustedProxies(["10.1.0.0/24"]).client(PROXY, headers) == client


def test_an_ipv4_mapped_peer_is_its_ipv4_address() -> None:
    assert TrustedProxies([]).client("::ffff:192.0.2.1", []) == "192.0.2.1"


def test_a_bad_block_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="COLLOQUY_TRUSTED_PROXIES"):
        Settings.from_env({"COLLOQUY_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"})
    settings = Settings.from_env({"COLLOQUY_TRUSTED_PROXIES": "10.0.0.0/8, ::1"})
    assert settings.trusted_proxies == ("10.0.0.0/8", "::1")
