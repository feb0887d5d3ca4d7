"""Where webhooks may point, with the default settings: never into the host's own networks,
judged from the URL when subscribing and again from what the name resolves to at each
delivery."""

import asyncio
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from app.events import http
from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import (
    ALL_EVENT_TYPES,
    Headers,
    Receiver,
    attempts_of,
    deliveries_of,
    dispatch,
    receiving,
    send_due,
    subscribe,
)
from tests.factories import Client, Json
from tests.helpers import publish

HOOKS = "/admin/v1/webhooks"
LOCAL = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://LOCALHOST:8080/x",
    "http://hooks.localhost/",
    "http://localhost./",
    "http://127.0.0.53:9000/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.10/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://[::1]:8080/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://224.0.0.1/",
]
# IPv6 forms that carry an IPv4 address, and reach it: judged by that address.
EMBEDDED_LOCAL = [
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[64:ff9b:1::7f00:1]/",  # local-use NAT64 (RFC 8215)
    "http://[64:ff9b:1::808:808]/",  # local-use NAT64: its layout is the network's own
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://[2002:a00:1::1]/",  # 6to4 of 10.0.0.1
    "http://[::ffff:7f00:1]/",  # IPv4-mapped 127.0.0.1
    "http://[::ffff:10.0.0.1]/",  # IPv4-mapped
    "http://[::127.0.0.1]/",  # IPv4-compatible
    "http://[::a9fe:a9fe]/",  # IPv4-compatible 169.254.169.254
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    "http://[2001:0:a00:1:8000:63bf:f7f7:f7f7]/",  # Teredo, server 10.0.0.1
]
EMBEDDED_PUBLIC = [
    "http://[64:ff9b::808:808]/",
    "http://[2002:808:808::]/",
    "http://[::ffff:8.8.8.8]/",
    "http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/",  # Teredo, server and client public
]
PUBLIC_ADDRESS = "93.184.215.14"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    assert settings.webhook_allow_private is False  # the default
    return settings


@pytest.mark.parametrize("url", LOCAL + EMBEDDED_LOCAL)
async def test_local_targets_are_refused_422(
    client: Client, admin: Headers, db: asyncpg.Connection, url: str
) -> None:
    response = await client.post(
        HOOKS, json={"url": url, "event_types": ["interview.published"]}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    assert await db.fetchval("SELECT count(*) FROM webhooks") == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://localhost/", "http://[::1]/"])
async def test_a_patch_to_a_local_target_is_refused_422(
    client: Client, admin: Headers, url: str
) -> None:
    hook = await subscribe(client, admin, "https://hooks.example/colloquy")
    response = await client.patch(f"{HOOKS}/{hook['id']}", json={"url": url}, headers=admin)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    unchanged = await client.get(f"{HOOKS}/{hook['id']}", headers=admin)
    assert unchanged.json()["url"] == "https://hooks.example/colloquy"


async def test_public_targets_are_accepted(client: Client, admin: Headers) -> None:
    for url in ("https://hooks.example/colloquy", "http://93.184.215.14:8080/in"):
        assert (await subscribe(client, admin, url))["url"] == url


@pytest.mark.parametrize("url", EMBEDDED_PUBLIC)
async def test_a_v6_form_of_a_public_v4_address_is_accepted(
    client: Client, admin: Headers, url: str
) -> None:
    assert (await subscribe(client, admin, url))["url"] == url


async def insert_webhook(db: asyncpg.Connection, url: str, clock: MovableClock) -> Json:
    """A webhook written straight to the database, past the API's check (as if it had been
    made when the name resolved elsewhere, or by an older version)."""
    row = await db.fetchrow(
        """
        INSERT INTO webhooks (url, event_types, secret, created_at, updated_at)
        VALUES ($1, $2, 'whsec_test', $3, $3) RETURNING id
        """,
        url, ALL_EVENT_TYPES, clock.now(),
    )  # fmt: skip
    return {"id": str(row["id"]), "url": url, "secret": "whsec_test"}


@pytest.mark.parametrize(
    "host",
    ["localhost", "127.1", "2130706433", "[::1]"],
    ids=["localhost", "127.1", "decimal", "v6"],
)
async def test_a_target_that_is_local_at_send_time_is_not_called(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
    host: str,
) -> None:
    url = f"http://{host}:{receiver.port}/hook"
    hook = await insert_webhook(db, url, clock)
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1

    assert receiver.requests == []
    [delivery] = await deliveries_of(db, hook["id"])
    assert delivery["status"] == "failed"
    [attempt] = await attempts_of(db, delivery["id"])
    assert attempt["status_code"] is None
    assert "loopback" in attempt["error"] or "private" in attempt["error"]

    clock.advance(days=3)
    assert await send_due(pool, clock, settings) == 0
    assert receiver.requests == []


async def test_a_name_that_resolves_to_loopback_passes_the_api_but_is_not_called(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
) -> None:
    """'127.1' is no address to Python but resolves to 127.0.0.1: checked at send time."""
    hook = await subscribe(client, admin, f"http://127.1:{receiver.port}/hook")
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1
    assert receiver.requests == []
    [delivery] = await deliveries_of(db, hook["id"])
    assert delivery["status"] == "failed"
    [attempt] = await attempts_of(db, delivery["id"])
    assert "resolves to a private or loopback address" in attempt["error"]


async def test_the_same_target_is_called_when_the_operator_allows_private(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
) -> None:
    hook = await insert_webhook(db, f"http://localhost:{receiver.port}/hook", clock)
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings, allow_private=True) == 1
    await receiver.wait_for(1)
    [delivery] = await deliveries_of(db, hook["id"])
    assert delivery["status"] == "succeeded"


async def test_a_name_that_does_not_resolve_is_retried(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    """A name that does not resolve now (DNS down, a record not yet there) is a failed
    attempt like any other, retried after 30 s: not a refusal for good."""
    hook = await subscribe(client, admin, "https://colloquy-receiver.invalid/hook")
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1
    [delivery] = await deliveries_of(db, hook["id"])
    [attempt] = await attempts_of(db, delivery["id"])
    assert attempt["status_code"] is None
    assert attempt["error"]
    assert delivery["status"] == "pending"
    assert delivery["next_attempt_at"] == clock.now() + timedelta(seconds=30)


@pytest.mark.parametrize(
    "url",
    ["http://[::1/", "https://hooks.example:99999/x", "https://hooks.example:port/x"],
    ids=["unclosed-v6", "port-out-of-range", "port-not-a-number"],
)
async def test_a_malformed_target_is_refused_422_not_500(
    client: Client, admin: Headers, db: asyncpg.Connection, url: str
) -> None:
    response = await client.post(
        HOOKS, json={"url": url, "event_types": ["interview.published"]}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    assert await db.fetchval("SELECT count(*) FROM webhooks") == 0


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize("url", ["https://hooks.example:99999/x", "hooks.example/no-scheme"])
async def test_an_attempt_at_a_malformed_target_is_logged(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
    allow_private: bool,
    url: str,
) -> None:
    """Every attempt is logged and settled, even at a URL no client can use (one stored
    before the API checked it): the delivery is not left claimed, to crash again every two
    minutes without a word."""
    hook = await insert_webhook(db, url, clock)
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings, allow_private=allow_private) == 1
    [delivery] = await deliveries_of(db, hook["id"])
    [attempt] = await attempts_of(db, delivery["id"])
    assert attempt["status_code"] is None
    assert attempt["error"]
    assert delivery["status"] == "failed"
    assert delivery["next_attempt_at"] != clock.now() + timedelta(minutes=2)


# --- what a name resolves to, at send time ---------------------------------------------------


class Network:
    """Stands in for DNS and the wire. A name in `answers` resolves to its lists of addresses in
    turn (the last again and again) and every lookup is counted; other names and addresses
    resolve as usual. Connections to an address in `routes` go to the loopback address it
    names (a public receiver, served here), and to loopback as they are; others are refused
    here and noted, never attempted."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: dict[str, int] = {}
        self.routes: dict[str, str] = {}
        self.refused: list[str] = []
        self._getaddrinfo = loop.getaddrinfo
        self._create_connection = loop.create_connection

    async def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return await self._getaddrinfo(host, port, *args, **kwargs)
        self.lookups[name] = self.lookups.get(name, 0) + 1
        answers = self.answers[name]
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [_address_info(address, int(port or 0)) for address in addresses]

    async def create_connection(self, factory: Any, host: Any, *args: Any, **kwargs: Any) -> Any:
        host = self.routes.get(host, host)
        if host not in ("127.0.0.1", "::1"):
            self.refused.append(host)
            raise ConnectionRefusedError(f"test network: no route to {host}")
        return await self._create_connection(factory, host, *args, **kwargs)


def _address_info(address: str, port: int) -> tuple[Any, ...]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))


@pytest.fixture
async def network(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Network]:
    loop = asyncio.get_running_loop()
    stand_in = Network(loop)
    monkeypatch.setattr(loop, "getaddrinfo", stand_in.getaddrinfo)
    monkeypatch.setattr(loop, "create_connection", stand_in.create_connection)
    yield stand_in


async def test_a_name_rebound_to_loopback_after_the_check_is_not_called(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
    network: Network,
) -> None:
    """DNS rebinding: the name answers a public address to the check, loopback to whoever asks
    next. It is resolved once per connection, and the connection goes to what was checked."""
    network.answers["rebind.example"] = [[PUBLIC_ADDRESS], ["127.0.0.1"]]
    hook = await subscribe(client, admin, f"http://rebind.example:{receiver.port}/hook")
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1

    assert receiver.requests == []
    assert network.lookups == {"rebind.example": 1}
    assert network.refused == [PUBLIC_ADDRESS]
    [delivery] = await deliveries_of(db, hook["id"])
    assert delivery["status"] == "pending"  # a public receiver that did not answer: retried
    [attempt] = await attempts_of(db, delivery["id"])
    assert attempt["status_code"] is None
    assert attempt["error"]


@pytest.mark.parametrize(
    "addresses",
    [
        [PUBLIC_ADDRESS, "127.0.0.1"],
        ["64:ff9b::7f00:1"],
        ["2002:a9fe:a9fe::"],
        ["::ffff:7f00:1"],
        ["::7f00:1"],
        ["2001:0:4136:e378:8000:63bf:80ff:fffe"],
    ],
    ids=["one-of-several", "nat64", "6to4", "v4-mapped", "v4-compatible", "teredo"],
)
async def test_a_name_with_any_local_address_is_not_called(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    receiver: Receiver,
    interview: Json,
    network: Network,
    addresses: list[str],
) -> None:
    network.answers["mixed.example"] = [addresses]
    hook = await subscribe(client, admin, f"http://mixed.example:{receiver.port}/hook")
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1

    assert receiver.requests == []
    assert network.refused == []  # no connection was even tried
    [delivery] = await deliveries_of(db, hook["id"])
    assert delivery["status"] == "failed"
    [attempt] = await attempts_of(db, delivery["id"])
    assert "resolves to a private or loopback address" in attempt["error"]


# --- TLS: verified against the name, though the connection goes to an address ----------------


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A test authority and a certificate it signed for hooks.example (made with openssl)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", *key, "-subj", "/CN=Test CA", "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", *key, "-subj", "/CN=hooks.example", "-keyout", "hook.key", "-out", "hook.csr")
    (folder / "san.ext").write_text("subjectAltName=DNS:hooks.example\n")
    signed_by_ca = ["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-extfile", "san.ext"]
    openssl("x509", "-req", "-in", "hook.csr", *signed_by_ca, "-out", "hook.pem")
    return {"authority": folder / "ca.pem", "cert": folder / "hook.pem", "key": folder / "hook.key"}


@pytest.fixture
async def tls_receiver(
    certificates: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Receiver]:
    """An HTTPS receiver with the hooks.example certificate, whose authority senders trust."""
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(certificates["cert"], certificates["key"])
    trusted = ssl.create_default_context(cafile=certificates["authority"])
    monkeypatch.setattr(http, "_tls", lambda: trusted)
    async with receiving(tls=served) as started:
        yield started


@pytest.mark.parametrize(("name", "verified"), [("hooks.example", True), ("other.example", False)])
async def test_tls_is_verified_against_the_name_at_the_checked_address(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
    network: Network,
    tls_receiver: Receiver,
    name: str,
    verified: bool,
) -> None:
    """The name resolves to a public address (served here): the connection goes to that
    address, and the certificate must be the name's. Another name at the same address, with
    no certificate of its own there, is not sent to."""
    network.answers[name] = [[PUBLIC_ADDRESS]]
    network.routes[PUBLIC_ADDRESS] = "127.0.0.1"
    hook = await subscribe(client, admin, f"https://{name}:{tls_receiver.port}/hook")
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)
    assert await send_due(pool, clock, settings) == 1

    assert network.lookups == {name: 1}
    [delivery] = await deliveries_of(db, hook["id"])
    [attempt] = await attempts_of(db, delivery["id"])
    if verified:
        [request] = tls_receiver.requests
        assert request.headers["host"] == f"{name}:{tls_receiver.port}"
        assert (delivery["status"], attempt["status_code"]) == ("succeeded", 200)
    else:
        assert tls_receiver.requests == []
        assert delivery["status"] == "pending"
        assert "CERTIFICATE_VERIFY_FAILED" in attempt["error"]
