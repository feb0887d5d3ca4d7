"""What the sender writes to the log: a webhook's URL only as scheme://host:port, since its
userinfo, path and query may hold the receiver's secrets."""

import base64
import logging

import asyncpg
import msgspec
import pytest

from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import Headers, Mode, receiving, subscribe, worker_round
from tests.factories import Client, Json
from tests.helpers import publish

SECRETS = ("hook-user", "pass-9f2c", "path-77ab", "query-c41d")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private=True)


@pytest.mark.parametrize("mode", ["ok", "fail"])
async def test_no_secret_of_a_webhook_url_reaches_the_log(
    client: Client,
    admin: Headers,
    editor: Headers,
    pool: asyncpg.Pool,
    db: asyncpg.Connection,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
    caplog: pytest.LogCaptureFixture,
    mode: Mode,
) -> None:
    async with receiving(mode) as receiver:
        origin = f"http://127.0.0.1:{receiver.port}"
        url = f"http://hook-user:pass-9f2c@127.0.0.1:{receiver.port}/path-77ab?t=query-c41d"
        await subscribe(client, admin, url, ["interview.published"])
        await publish(client, editor, interview)
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            assert await worker_round(pool, clock, settings) == 1

    # Sent as before: the userinfo as Basic credentials, path and query as given.
    [request] = receiver.requests
    assert request.path == "/path-77ab?t=query-c41d"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(
        b"hook-user:pass-9f2c"
    ).decode("ascii")
    # Every field of every record, the message among them.
    logged = [str({**vars(record), "message": record.getMessage()}) for record in caplog.records]
    leaks = [line for line in logged if any(secret in line for secret in SECRETS)]
    assert leaks == []
    # Each attempt is one record naming the receiver without its secrets, and its outcome.
    [attempt] = [r for r in caplog.records if r.getMessage() == "delivery attempted"]
    assert vars(attempt)["target"] == origin
    expected = (500, "retrying") if mode == "fail" else (200, "succeeded")
    assert (vars(attempt)["status_code"], vars(attempt)["outcome"]) == expected
