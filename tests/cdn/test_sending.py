"""Purges reach each target as its documentation asks, checked by stand-ins on loopback:
Varnish's xkey purge, Fastly's batch purge by surrogate key, Cloudflare's purge by tag. They
are retried until every target has taken them, and then gone."""

from collections.abc import Sequence
from datetime import timedelta

import asyncpg
import msgspec
import pytest

from app.cdn.keys import ALL
from app.cdn.purging import REPEAT_AFTER, Purger, forget_failed_purges, insert_purge
from app.cdn.targets import Cloudflare, Fastly, Target, Varnish, parse_targets
from app.settings import ConfigurationError, Settings
from tests.cdn import forget_purges
from tests.conftest import MovableClock
from tests.events import Receiver, receiving

KEYS = ["interview:1", "series:2", "frontpage"]


def base(receiver: Receiver) -> str:
    return f"http://127.0.0.1:{receiver.port}"


async def send(pool: asyncpg.Pool, clock: MovableClock, targets: Sequence[Target]) -> None:
    """One round of the purger, waited for."""
    purger = Purger(pool, clock, targets)
    purger.start_due()
    await purger.drain()
    purger.close()


async def pending(db: asyncpg.Connection) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        "SELECT keys, attempts, status, last_error FROM purges"
    )
    return rows


async def only_the_repeat_left(db: asyncpg.Connection, clock: MovableClock) -> bool:
    """What is left of purges every target took: each one's repeat, due REPEAT_AFTER from now."""
    rows = await db.fetch("SELECT attempts, status, repeat_due, next_attempt_at FROM purges")
    due = clock.now() + REPEAT_AFTER
    return bool(rows) and all(tuple(row) == (0, "pending", False, due) for row in rows)


@pytest.fixture
async def one_purge(db: asyncpg.Connection, clock: MovableClock) -> None:
    await forget_purges(db)
    await insert_purge(db, KEYS, clock.now())


@pytest.mark.usefixtures("one_purge")
async def test_varnish_gets_an_xkey_purge(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    async with receiving() as varnish:
        await send(pool, clock, [Varnish(base(varnish) + "/")])
    [request] = varnish.requests
    assert (request.method, request.path) == ("PURGE", "/")
    assert request.headers["xkey-purge"] == " ".join(sorted([*KEYS, ALL]))
    assert request.body == b""
    assert await only_the_repeat_left(db, clock)


@pytest.mark.usefixtures("one_purge")
async def test_fastly_gets_a_batch_purge_by_surrogate_key(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    async with receiving() as fastly:
        await send(pool, clock, [Fastly("SU1Z0isxPaozGVKXdv0eY", "fastly-token", base(fastly))])
    [request] = fastly.requests
    assert (request.method, request.path) == ("POST", "/service/SU1Z0isxPaozGVKXdv0eY/purge")
    assert request.headers["fastly-key"] == "fastly-token"
    assert request.headers["surrogate-key"] == " ".join(sorted([*KEYS, ALL]))
    assert request.headers["accept"] == "application/json"
    assert request.body == b""
    assert await only_the_repeat_left(db, clock)


@pytest.mark.usefixtures("one_purge")
async def test_cloudflare_gets_a_purge_by_tags(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    async with receiving() as cloudflare:
        api = base(cloudflare) + "/client/v4"
        await send(pool, clock, [Cloudflare("023e105f4ecef8ad9ca31a8372d0c353", "cf-token", api)])
    [request] = cloudflare.requests
    assert request.method == "POST"
    assert request.path == "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache"
    assert request.headers["authorization"] == "Bearer cf-token"
    assert request.headers["content-type"] == "application/json"
    assert msgspec.json.decode(request.body) == {"tags": sorted([*KEYS, ALL])}
    assert await only_the_repeat_left(db, clock)


async def test_keys_beyond_what_one_call_takes_go_in_several(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    await forget_purges(db)
    keys = [f"interview:{n:02}" for n in range(40)]
    await insert_purge(db, keys, clock.now())
    async with receiving() as cloudflare:
        await send(pool, clock, [Cloudflare("zone", "token", base(cloudflare))])
    sent = [msgspec.json.decode(request.body)["tags"] for request in cloudflare.requests]
    assert [len(tags) for tags in sent] == [30, 11]
    assert sorted(tag for tags in sent for tag in tags) == sorted([*keys, ALL])


async def test_purges_waiting_together_go_in_one_request(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    await forget_purges(db)
    await insert_purge(db, ["interview:1", "frontpage"], clock.now())
    await insert_purge(db, ["series:2", "frontpage"], clock.now())
    async with receiving() as varnish:
        await send(pool, clock, [Varnish(base(varnish))])
    [request] = varnish.requests
    assert request.headers["xkey-purge"] == f"{ALL} frontpage interview:1 series:2"


@pytest.mark.usefixtures("one_purge")
async def test_a_purge_a_target_refused_is_sent_again_later_to_every_target(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    async with receiving() as varnish, receiving(mode="fail") as fastly:
        targets: list[Target] = [Varnish(base(varnish)), Fastly("service", "token", base(fastly))]
        await send(pool, clock, targets)
        [waiting] = await pending(db)
        assert (waiting["attempts"], waiting["status"]) == (1, "pending")
        assert waiting["last_error"].endswith("/service/service/purge answered 500")
        await send(pool, clock, targets)  # not due yet
        assert (len(varnish.requests), len(fastly.requests)) == (1, 1)
        fastly.mode = "ok"
        clock.advance(seconds=5)
        await send(pool, clock, targets)
    assert (len(varnish.requests), len(fastly.requests)) == (2, 2)
    assert await only_the_repeat_left(db, clock)


@pytest.mark.usefixtures("one_purge")
async def test_a_purge_is_sent_once_more_after_every_instance_has_heard_of_the_change(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    """An instance the CDN asked between the purge and that instance's change notice answered
    from its cache what the purge meant to drop; the repeat drops that too."""
    async with receiving() as varnish:
        await send(pool, clock, [Varnish(base(varnish))])
        await send(pool, clock, [Varnish(base(varnish))])  # the repeat is not due yet
        assert len(varnish.requests) == 1
        clock.advance(seconds=REPEAT_AFTER.total_seconds())
        await send(pool, clock, [Varnish(base(varnish))])
        clock.advance(hours=1)
        await send(pool, clock, [Varnish(base(varnish))])  # and then it is done
    assert [r.headers["xkey-purge"] for r in varnish.requests] == [
        " ".join(sorted([*KEYS, ALL]))
    ] * 2
    assert await pending(db) == []


@pytest.mark.usefixtures("one_purge")
async def test_a_target_that_cannot_be_reached_is_retried_with_growing_waits(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    async with receiving() as gone:
        unreachable = [Varnish(base(gone))]
    await send(pool, clock, unreachable)
    clock.advance(seconds=5)
    await send(pool, clock, unreachable)
    due = await db.fetchval("SELECT next_attempt_at FROM purges")
    assert due == clock.now() + timedelta(seconds=10)


@pytest.mark.usefixtures("one_purge")
async def test_with_no_target_a_purge_is_done_at_once(
    pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> None:
    await send(pool, clock, [])
    assert await pending(db) == []


def test_targets_are_read_from_the_settings() -> None:
    settings = Settings.from_env(
        {
            "COLLOQUY_PURGE_TARGETS": "varnish:http://127.0.0.1:6081, fastly:svc,cloudflare:zone",
            "COLLOQUY_FASTLY_TOKEN": "f",
            "COLLOQUY_CLOUDFLARE_TOKEN": "c",
        }
    )
    targets = parse_targets(
        settings.purge_targets, settings.fastly_token, settings.cloudflare_token
    )
    assert targets == [
        Varnish("http://127.0.0.1:6081"),
        Fastly("svc", "f"),
        Cloudflare("zone", "c"),
    ]
    assert targets[1].requests(["k"])[0].url == "https://api.fastly.com/service/svc/purge"
    assert (
        targets[2].requests(["k"])[0].url
        == "https://api.cloudflare.com/client/v4/zones/zone/purge_cache"
    )


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"COLLOQUY_PURGE_TARGETS": "fastly:svc"}, "set COLLOQUY_FASTLY_TOKEN"),
        ({"COLLOQUY_PURGE_TARGETS": "cloudflare:zone"}, "set COLLOQUY_CLOUDFLARE_TOKEN"),
        ({"COLLOQUY_PURGE_TARGETS": "varnish:127.0.0.1:6081"}, "is not a purge target"),
        ({"COLLOQUY_PURGE_TARGETS": "akamai:x"}, "is not a purge target"),
    ],
)
def test_a_wrong_target_stops_the_service_saying_what_to_do(env: dict[str, str], said: str) -> None:
    with pytest.raises(ConfigurationError, match=said):
        Settings.from_env(env)


async def test_failed_purges_are_forgotten_after_a_week(
    db: asyncpg.Connection, clock: MovableClock
) -> None:
    await forget_purges(db)
    for keys, age, status in [
        (["failed:old"], timedelta(days=7, seconds=1), "failed"),
        (["failed:recent"], timedelta(days=6), "failed"),
        (["pending:old"], timedelta(days=8), "pending"),
    ]:
        await insert_purge(db, keys, clock.now() - age)
        await db.execute("UPDATE purges SET status = $1 WHERE keys = $2", status, keys)
    await forget_failed_purges(db, clock.now())
    assert sorted(row["keys"][0] for row in await pending(db)) == ["failed:recent", "pending:old"]
