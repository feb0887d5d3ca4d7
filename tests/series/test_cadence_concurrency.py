"""No request waits on another's cadence: rules are expanded in worker threads.

A search is held open here, on a bad rule written by SQL, until the test has seen another
request answered; on the event loop, the hold would stop that request, and the test, until the
hold gives up (a safety net, never reached when the search runs beside the loop)."""

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from app.series import cadence, routes
from tests.factories import Client, Json, make_interview, make_person, make_series

Headers = dict[str, str]
Request = Callable[[Client, Headers, Json], Coroutine[Any, Any, httpx.Response]]
NEVER = "FREQ=HOURLY;BYSETPOS=2"
HOLD_AT_MOST = 30  # seconds: only ever waited out when the search blocks the event loop


async def list_slots(client: Client, editor: Headers, series: Json) -> httpx.Response:
    return await client.get(f"/admin/v1/series/{series['id']}/slots", headers=editor)


async def poll_calendar(client: Client, editor: Headers, series: Json) -> httpx.Response:
    return await client.get("/admin/v1/calendar.ics", headers=editor)


async def schedule_next(client: Client, editor: Headers, series: Json) -> httpx.Response:
    people = [await make_person(client, editor, name) for name in ("Ana Ruiz", "Ben Okafor")]
    item = await make_interview(client, editor, series, *people, title="Mine")
    return await client.post(
        f"/admin/v1/interviews/{item['id']}/schedule", json={"slot": "next"}, headers=editor
    )


async def change_cadence(client: Client, editor: Headers, series: Json) -> httpx.Response:
    body = {"cadence": {"rrule": NEVER, "timezone": "Europe/Brussels"}}
    return await client.patch(f"/admin/v1/series/{series['id']}", json=body, headers=editor)


@pytest.mark.parametrize(
    ("request_", "held", "status"),
    [
        (list_slots, (cadence, "find_slots"), 200),
        (poll_calendar, (cadence, "find_slots"), 200),
        (schedule_next, (cadence, "find_slots"), 409),
        (change_cadence, (routes, "validate_cadence"), 422),
    ],
    ids=["slots", "calendar", "schedule-next", "cadence-check"],
)
async def test_health_is_answered_while_a_cadence_is_expanded(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    monkeypatch: pytest.MonkeyPatch,
    request_: Request,
    held: tuple[Any, str],
    status: int,
) -> None:
    series = await make_series(client, editor)
    await db.execute(
        "UPDATE series SET cadence_rrule = $2 WHERE id = $1", UUID(series["id"]), NEVER
    )
    module, name = held
    expand = getattr(module, name)
    started, release = threading.Event(), threading.Event()
    order: list[str] = []

    def hold(*args: Any) -> Any:
        order.append("expanding")
        started.set()
        order.append("released" if release.wait(HOLD_AT_MOST) else "gave up waiting")
        return expand(*args)

    monkeypatch.setattr(module, name, hold)
    pending = asyncio.create_task(request_(client, editor, series))
    assert await asyncio.to_thread(started.wait, HOLD_AT_MOST)
    health = await client.get("/health/live")
    order.append(f"health {health.status_code}")
    release.set()
    response = await pending

    assert order == ["expanding", "health 200", "released"]
    assert response.status_code == status, response.text
    if request_ is list_slots:
        assert response.json()["items"] == []
