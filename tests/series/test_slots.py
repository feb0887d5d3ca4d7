"""Slots of a series' cadence: the rule in local time, the listing, and scheduling into them."""

import asyncio
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest

from app.auth import Actor, Role
from app.errors import ProblemError
from app.interviews.lifecycle import schedule
from app.interviews.schemas import ScheduleRequest
from app.series.cadence import slots, wall_clock
from app.series.schemas import Cadence
from tests.conftest import MovableClock
from tests.factories import Client, Json, make_interview, make_series
from tests.helpers import acted

# Lifecycle calls made straight from a test act as an editor's token would.
EDITOR = Actor(UUID(int=1), Role.editor)

SERIES = "/admin/v1/series"
Headers = dict[str, str]
BRUSSELS = "Europe/Brussels"
THURSDAY_10 = Cadence(rrule="FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0", timezone=BRUSSELS)
NIGHTLY_0230 = Cadence(rrule="FREQ=DAILY;BYHOUR=2;BYMINUTE=30", timezone=BRUSSELS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def first(cadence: Cadence, anchor: date, start: datetime, count: int) -> list[datetime]:
    return list(islice(slots(cadence, anchor, start), count))


# --- the rule in local time ----------------------------------------------------------------------


def test_weekly_slot_keeps_its_wall_clock_time_across_dst() -> None:
    found = first(THURSDAY_10, date(2026, 11, 26), utc(2027, 3, 18), 3)
    assert found == [utc(2027, 3, 18, 9), utc(2027, 3, 25, 9), utc(2027, 4, 1, 8)]
    assert [wall_clock(at, BRUSSELS) for at in found] == [
        "2027-03-18T10:00:00+01:00",
        "2027-03-25T10:00:00+01:00",
        "2027-04-01T10:00:00+02:00",
    ]


def test_a_time_in_the_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 2027-03-28: Brussels jumps from 02:00 to 03:00, so 02:30 does not exist that night.
    found = first(NIGHTLY_0230, date(2027, 3, 1), utc(2027, 3, 27), 3)
    assert found == [utc(2027, 3, 27, 1, 30), utc(2027, 3, 28, 1, 30), utc(2027, 3, 29, 0, 30)]
    assert wall_clock(found[1], BRUSSELS) == "2027-03-28T03:30:00+02:00"


def test_a_time_that_occurs_twice_is_the_first_of_the_two() -> None:
    # 2026-10-25: Brussels goes back from 03:00 to 02:00, so 02:30 comes twice that night.
    found = first(NIGHTLY_0230, date(2026, 10, 1), utc(2026, 10, 24), 3)
    assert found == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    assert wall_clock(found[1], BRUSSELS) == "2026-10-25T02:30:00+02:00"  # summer time


def test_gap_times_that_land_on_other_slots_are_one_slot_each_in_order() -> None:
    cadence = Cadence(rrule="FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30", timezone=BRUSSELS)
    found = first(cadence, date(2027, 3, 1), utc(2027, 3, 27, 12), 6)
    # 02:00 and 02:30 on the 28th become 03:00 and 03:30, which are slots already.
    assert found == [
        utc(2027, 3, 28, 1),
        utc(2027, 3, 28, 1, 30),
        utc(2027, 3, 29, 0),
        utc(2027, 3, 29, 0, 30),
        utc(2027, 3, 29, 1),
        utc(2027, 3, 29, 1, 30),
    ]


def test_start_is_inclusive_and_nothing_comes_before_the_anchor() -> None:
    assert first(THURSDAY_10, date(2026, 11, 26), utc(2026, 11, 26, 9), 1) == [utc(2026, 11, 26, 9)]
    assert first(THURSDAY_10, date(2026, 11, 26), utc(2020, 1, 1), 1) == [utc(2026, 11, 26, 9)]


def test_interval_count_and_until_start_from_the_anchor() -> None:
    anchor = date(2026, 11, 26)
    fortnightly = Cadence(rrule=THURSDAY_10.rrule + ";INTERVAL=2", timezone=BRUSSELS)
    assert first(fortnightly, anchor, utc(2026, 11, 27), 2) == [
        utc(2026, 12, 10, 9),
        utc(2026, 12, 24, 9),
    ]
    twice = Cadence(rrule=THURSDAY_10.rrule + ";COUNT=2", timezone=BRUSSELS)
    assert first(twice, anchor, utc(2026, 11, 1), 5) == [utc(2026, 11, 26, 9), utc(2026, 12, 3, 9)]
    # UNTIL is UTC and inclusive.
    until = Cadence(rrule=THURSDAY_10.rrule + ";UNTIL=20261210T090000Z", timezone=BRUSSELS)
    assert first(until, anchor, utc(2026, 12, 1), 5) == [utc(2026, 12, 3, 9), utc(2026, 12, 10, 9)]


def test_a_rule_without_time_of_day_runs_at_local_midnight_of_the_anchor() -> None:
    monthly = Cadence(rrule="FREQ=MONTHLY", timezone="Asia/Baku")  # +04:00
    assert first(monthly, date(2026, 11, 26), utc(2026, 11, 27), 2) == [
        utc(2026, 12, 25, 20),
        utc(2027, 1, 25, 20),
    ]


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=MINUTELY",
        "FREQ=WEEKLY;COUNT=3;UNTIL=20270101T000000Z",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;UNTIL=20270101T000000",  # RFC 5545: UTC beside a zoned start
        "FREQ=WEEKLY;UNTIL=tomorrow",
    ],
    ids=["minutely", "count-and-until", "february-30", "local-until", "bad-until"],
)
async def test_cadences_without_usable_slots_are_422(
    client: Client, editor: Headers, rrule: str
) -> None:
    cadence = {"rrule": rrule, "timezone": BRUSSELS}
    response = await client.post(SERIES, json={"title": "T", "cadence": cadence}, headers=editor)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "cadence.rrule"


async def test_a_cadence_with_until_in_utc_is_accepted(client: Client, editor: Headers) -> None:
    rrule = "FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;UNTIL=20261210T090000Z"
    series = await make_series(client, editor, cadence={"rrule": rrule, "timezone": BRUSSELS})
    response = await client.get(f"{SERIES}/{series['id']}/slots", headers=editor)
    assert response.status_code == 200, response.text
    assert [s["publish_at"] for s in response.json()["items"]] == [
        "2026-11-26T09:00:00Z",
        "2026-12-03T09:00:00Z",
        "2026-12-10T09:00:00Z",
    ]


# --- listing slots -------------------------------------------------------------------------------


async def interview(client: Client, editor: Headers, series: Json, people: Any, title: str) -> Json:
    return await make_interview(client, editor, series, *people, title=title)


async def list_slots(client: Client, headers: Headers, series: Json, **params: Any) -> Any:
    return await client.get(f"{SERIES}/{series['id']}/slots", params=params, headers=headers)


async def test_slots_from_now_with_the_interview_in_each(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    booked = await interview(client, editor, series, people, "Booked")
    await acted(client, editor, booked, "schedule", publish_at="2026-12-03T10:00:00+01:00")
    off_cadence = await interview(client, editor, series, people, "Off cadence")
    await db.execute(  # as a confirmed schedule leaves it
        "UPDATE interviews SET status = 'scheduled', publish_at = $2 WHERE id = $1",
        UUID(off_cadence["id"]), utc(2026, 12, 10, 10),
    )  # fmt: skip
    await interview(client, editor, series, people, "Draft")

    response = await list_slots(client, editor, series)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["series_id"] == series["id"]
    assert body["cadence"] == series["cadence"]
    items = body["items"]
    assert len(items) == 10
    assert items[0] == {
        "publish_at": "2026-11-26T09:00:00Z",  # now: a slot starting now is upcoming
        "local": "2026-11-26T10:00:00+01:00",
        "interview": None,
    }
    assert items[1]["publish_at"] == "2026-12-03T09:00:00Z"
    assert items[1]["interview"] == {
        "id": booked["id"],
        "slug": booked["slug"],
        "title": "Booked",
        "status": "scheduled",
    }
    assert [item["interview"] for item in items[2:]] == [None] * 8
    assert items[-1]["publish_at"] == "2027-01-28T09:00:00Z"


async def test_slots_from_a_time_and_count_across_dst(
    client: Client, editor: Headers, series: Json
) -> None:
    response = await list_slots(client, editor, series, **{"from": "2027-03-20T00:00:00+01:00"})
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 10
    response = await list_slots(
        client, editor, series, **{"from": "2027-03-20T00:00:00+01:00", "count": 3}
    )
    assert [(s["publish_at"], s["local"]) for s in response.json()["items"]] == [
        ("2027-03-25T09:00:00Z", "2027-03-25T10:00:00+01:00"),
        ("2027-04-01T08:00:00Z", "2027-04-01T10:00:00+02:00"),
        ("2027-04-08T08:00:00Z", "2027-04-08T10:00:00+02:00"),
    ]


async def test_a_slot_whose_time_has_come_shows_its_interview_published(
    client: Client, editor: Headers, series: Json, people: Any, clock: MovableClock
) -> None:
    item = await interview(client, editor, series, people, "Due")
    await acted(client, editor, item, "schedule", publish_at="2026-12-03T09:00:00Z")
    clock.advance(days=7, seconds=1)
    response = await list_slots(client, editor, series, **{"from": "2026-12-03T09:00:00Z"})
    first_slot = response.json()["items"][0]
    assert first_slot["interview"]["status"] == "published"
    assert first_slot["interview"]["id"] == item["id"]


async def test_withdrawn_and_unscheduled_interviews_leave_their_slot(
    client: Client, editor: Headers, series: Json, people: Any, clock: MovableClock
) -> None:
    gone = await interview(client, editor, series, people, "Gone")
    await acted(client, editor, gone, "schedule", publish_at="2026-12-03T09:00:00Z")
    back = await interview(client, editor, series, people, "Back to draft")
    await acted(client, editor, back, "schedule", publish_at="2026-12-10T09:00:00Z")
    await acted(client, editor, back, "unschedule")
    clock.advance(days=7, seconds=1)
    await acted(client, editor, gone, "withdraw")  # it keeps publish_at, but not the slot
    response = await list_slots(client, editor, series, **{"from": "2026-12-03T09:00:00Z"})
    assert [s["interview"] for s in response.json()["items"][:2]] == [None, None]


async def test_a_doubly_booked_slot_shows_the_oldest_interview(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    older = await interview(client, editor, series, people, "Older")
    newer = await interview(client, editor, series, people, "Newer")
    # Double-booked as a confirmed schedule leaves it; both were made at the same instant.
    await db.execute(
        """
        UPDATE interviews SET status = 'scheduled', publish_at = '2026-12-03T09:00:00Z'
         WHERE id = ANY($1::uuid[])
        """,
        [UUID(older["id"]), UUID(newer["id"])],
    )
    await db.execute(
        "UPDATE interviews SET created_at = created_at + interval '1 second' WHERE id = $1",
        UUID(newer["id"]),
    )
    response = await list_slots(client, editor, series, count=2)
    assert response.json()["items"][1]["interview"]["title"] == "Older"


async def test_any_role_may_list_slots(client: Client, contributor: Headers, series: Json) -> None:
    response = await list_slots(client, contributor, series, count=1)
    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["publish_at"] == "2026-11-26T09:00:00Z"
    assert (await list_slots(client, {}, series)).status_code == 401


async def test_a_series_without_cadence_has_no_slots(client: Client, editor: Headers) -> None:
    series = await make_series(client, editor, cadence=None)
    response = await list_slots(client, editor, series)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "cadence"


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-12-01T10:00:00"},  # no offset
        {"from": "2040-01-01T00:00:00Z"},  # too far ahead
        {"from": "soon"},
        {"count": 0},
        {"count": 101},
    ],
    ids=["naive", "far", "garbage", "count-0", "count-101"],
)
async def test_bad_slot_parameters_are_400(
    client: Client, editor: Headers, series: Json, params: dict[str, Any]
) -> None:
    response = await list_slots(client, editor, series, **params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if "from" in params and params["from"] != "soon":
        assert response.json()["errors"][0]["field"] == "from"


async def test_slots_of_an_unknown_series_are_404(client: Client, editor: Headers) -> None:
    ghost = {"id": "00000000-0000-0000-0000-000000000000"}
    assert (await list_slots(client, editor, ghost)).status_code == 404


# --- scheduling into a slot ----------------------------------------------------------------------


def request(**body: Any) -> ScheduleRequest:
    """A schedule body as the handler gets it, decoded from JSON."""
    return msgspec.json.decode(msgspec.json.encode(body), type=ScheduleRequest)


async def resolve(db: asyncpg.Connection, item: Json, now: datetime, **body: Any) -> datetime:
    """The time a schedule request gets, the schedule rolled back."""
    transaction = db.transaction()
    await transaction.start()
    try:
        return await schedule(db, UUID(item["id"]), request(**body), now, EDITOR, None)
    finally:
        await transaction.rollback()


async def refused(db: asyncpg.Connection, item: Json, now: datetime, **body: Any) -> ProblemError:
    with pytest.raises(ProblemError) as caught:
        await resolve(db, item, now, **body)
    return caught.value


NOW = utc(2026, 11, 26, 9)  # the clock fixture's start: a slot of the series itself


async def test_next_slot_is_the_next_free_one_after_now(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    item = await interview(client, editor, series, people, "Mine")
    assert await resolve(db, item, NOW, slot="next") == utc(2026, 12, 3, 9)

    other = await interview(client, editor, series, people, "Other")
    await acted(client, editor, other, "schedule", publish_at="2026-12-03T09:00:00Z")
    assert await resolve(db, item, NOW, slot="next") == utc(2026, 12, 10, 9)

    # Its own slot counts as free.
    await acted(client, editor, item, "schedule", publish_at="2026-12-10T09:00:00Z")
    assert await resolve(db, item, NOW, slot="next") == utc(2026, 12, 10, 9)


async def test_a_free_slot_needs_no_confirmation(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    item = await interview(client, editor, series, people, "Mine")
    at = await resolve(db, item, NOW, publish_at="2027-04-01T10:00:00+02:00")
    assert at == utc(2027, 4, 1, 8)


async def test_an_off_cadence_time_is_409_unless_confirmed(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    item = await interview(client, editor, series, people, "Mine")
    problem = await refused(db, item, NOW, publish_at="2026-12-03T11:00:00+01:00")
    assert problem.status == 409
    assert [e.field for e in problem.errors] == ["publish_at"]
    assert "2026-12-03T11:00:00+01:00 is not a slot of Thursday Interview" in problem.detail
    assert "the next is 2026-12-10T10:00:00+01:00" in problem.detail
    assert '"confirm": true' in problem.detail

    at = await resolve(db, item, NOW, publish_at="2026-12-03T11:00:00+01:00", confirm=True)
    assert at == utc(2026, 12, 3, 10)


async def test_a_taken_slot_is_409_unless_confirmed(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    item = await interview(client, editor, series, people, "Mine")
    other = await interview(client, editor, series, people, "Theirs")
    await acted(client, editor, other, "schedule", publish_at="2026-12-03T09:00:00Z")

    problem = await refused(db, item, NOW, publish_at="2026-12-03T10:00:00+01:00")
    assert problem.status == 409
    assert [e.field for e in problem.errors] == ["publish_at"]
    assert "2026-12-03T10:00:00+01:00 is taken by “Theirs”" in problem.detail

    at = await resolve(db, item, NOW, publish_at="2026-12-03T09:00:00Z", confirm=True)
    assert at == utc(2026, 12, 3, 9)


async def test_a_slot_of_another_series_is_not_taken(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    elsewhere = await make_series(client, editor, title="Elsewhere")
    other = await interview(client, editor, elsewhere, people, "Theirs")
    await acted(client, editor, other, "schedule", publish_at="2026-12-03T09:00:00Z")
    item = await interview(client, editor, series, people, "Mine")
    assert await resolve(db, item, NOW, slot="next") == utc(2026, 12, 3, 9)
    assert await resolve(db, item, NOW, publish_at="2026-12-03T09:00:00Z") == utc(2026, 12, 3, 9)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "publish_at"),
        ({"slot": "next", "publish_at": "2026-12-03T09:00:00Z"}, 400, "slot"),
        ({"publish_at": "2026-11-26T09:00:00Z"}, 422, "publish_at"),  # now is not the future
        ({"publish_at": "2026-11-19T09:00:00Z", "confirm": True}, 422, "publish_at"),
    ],
    ids=["neither", "both", "now", "past"],
)
async def test_bad_schedule_requests(
    client: Client,
    editor: Headers,
    series: Json,
    people: Any,
    db: asyncpg.Connection,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    item = await interview(client, editor, series, people, "Mine")
    problem = await refused(db, item, NOW, **body)
    assert (problem.status, [e.field for e in problem.errors]) == (status, [field])


@pytest.mark.parametrize(
    "body",
    [{"publish_at": "2026-12-03T10:00:00"}, {"slot": "later"}, {"slot": "next", "confirm": 1}],
    ids=["naive", "unknown-slot", "confirm-not-bool"],
)
def test_schedule_bodies_that_do_not_decode(body: dict[str, Any]) -> None:
    with pytest.raises(msgspec.ValidationError):
        request(**body)


async def test_a_series_without_cadence_schedules_anywhere_but_has_no_next_slot(
    client: Client, editor: Headers, people: Any, db: asyncpg.Connection
) -> None:
    loose = await make_series(client, editor, title="Loose", cadence=None)
    item = await interview(client, editor, loose, people, "Mine")
    at = await resolve(db, item, NOW, publish_at="2026-12-01T17:45:00Z")
    assert at == utc(2026, 12, 1, 17, 45)
    problem = await refused(db, item, NOW, slot="next")
    assert (problem.status, [e.field for e in problem.errors]) == (409, ["slot"])


async def test_a_cadence_with_no_slot_left_has_no_next_slot(
    client: Client, editor: Headers, people: Any, db: asyncpg.Connection
) -> None:
    rrule = "FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;COUNT=2"
    short = await make_series(client, editor, cadence={"rrule": rrule, "timezone": BRUSSELS})
    other = await interview(client, editor, short, people, "Theirs")
    await acted(client, editor, other, "schedule", publish_at="2026-12-03T09:00:00Z")
    item = await interview(client, editor, short, people, "Mine")
    problem = await refused(db, item, NOW, slot="next")
    assert (problem.status, [e.field for e in problem.errors]) == (409, ["slot"])
    assert "no free slot" in problem.detail
    problem = await refused(db, item, NOW, publish_at="2026-12-10T09:00:00Z")
    assert "it has no later slot" in problem.detail


async def test_an_unknown_interview_is_404(db: asyncpg.Connection) -> None:
    ghost = {"id": "00000000-0000-0000-0000-000000000000"}
    problem = await refused(db, ghost, NOW, slot="next")
    assert problem.status == 404


async def test_a_published_interview_is_left_to_the_lifecycle(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    item = await interview(client, editor, series, people, "Out")
    await acted(client, editor, item, "publish")
    # Refused for its status, 409 naming the allowed moves, before its (off-cadence) time is
    # looked at.
    problem = await refused(db, item, NOW, publish_at="2026-12-01T10:00:00Z")
    assert (problem.status, [e.field for e in problem.errors]) == (409, ["status"])
    assert problem.allowed == ["withdraw"]


async def test_wired_as_the_schedule_handler_will_be(
    client: Client, editor: Headers, series: Json, people: Any, db: asyncpg.Connection
) -> None:
    item = await interview(client, editor, series, people, "Mine")
    await schedule(db, UUID(item["id"]), request(slot="next"), NOW, EDITOR, None)
    response = await client.get(f"/admin/v1/interviews/{item['id']}", headers=editor)
    assert (response.json()["status"], response.json()["publish_at"]) == (
        "scheduled",
        "2026-12-03T09:00:00Z",
    )
    slot = (await list_slots(client, editor, series, count=2)).json()["items"][1]
    assert slot["interview"]["id"] == item["id"]


async def until_blocked(
    pool: asyncpg.Pool,
    waiter: asyncpg.Connection,
    holder: asyncpg.Connection,
    task: "asyncio.Task[Any]",
) -> None:
    """Wait (up to 10 s) until `waiter`'s statement waits for a lock that `holder` has: until
    then nothing shows that it would not simply go ahead."""
    async with pool.acquire() as watcher:
        for _ in range(1000):
            assert not task.done(), "it went ahead without waiting"
            if await watcher.fetchval(
                "SELECT $2 = ANY(pg_blocking_pids($1))",
                waiter.get_server_pid(),
                holder.get_server_pid(),
            ):
                return
            await asyncio.sleep(0.01)
    raise AssertionError("it did not wait for the lock within 10 s")


async def test_two_editors_never_get_the_same_next_slot(
    client: Client,
    editor: Headers,
    series: Json,
    people: Any,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
) -> None:
    first_item = await interview(client, editor, series, people, "First")
    second_item = await interview(client, editor, series, people, "Second")

    async def schedule_next(connection: asyncpg.Connection, item: Json) -> datetime:
        return await schedule(connection, UUID(item["id"]), request(slot="next"), NOW, EDITOR, None)

    async with pool.acquire() as other:

        async def second() -> datetime:
            async with other.transaction():
                return await schedule_next(other, second_item)

        async with db.transaction():
            assert await schedule_next(db, first_item) == utc(2026, 12, 3, 9)
            waiting = asyncio.create_task(second())
            # Held by the series lock until the first commits.
            await until_blocked(pool, other, db, waiting)
        assert await waiting == utc(2026, 12, 10, 9)
