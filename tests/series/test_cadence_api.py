"""Cadences never freeze the process, as the API shows: a rule is accepted only if it has a slot
soon and its slots are at most hourly, and a bad rule already stored has no slots."""

from uuid import UUID

import asyncpg
import httpx
import icalendar
import pytest

from app.auth import Role
from tests.conftest import MovableClock, bearer
from tests.factories import Client, Json, make_interview, make_person, make_series

# Every search for slots here is bounded (tests/series/conftest.py).
pytestmark = pytest.mark.usefixtures("bounded_scans")

SERIES = "/admin/v1/series"
CALENDAR = "/admin/v1/calendar.ics"
Headers = dict[str, str]
BRUSSELS = "Europe/Brussels"

EVERY_MINUTE = ",".join(str(minute) for minute in range(60))

# Rules that dateutil searches up to the year 9999 for an occurrence they never have.
NEVER = {
    "hourly-366th": "FREQ=HOURLY;BYSETPOS=366;BYHOUR=1",
    "hourly-2nd": "FREQ=HOURLY;BYSETPOS=2",
    "leap-day-in-january": "FREQ=DAILY;BYYEARDAY=366;BYMONTH=1",
    "week-53-in-june": "FREQ=DAILY;BYWEEKNO=53;BYMONTH=6",
}
# Rules hourly by FREQ, or rarer, that still make slots less than an hour apart.
DENSE = {
    "seconds": f"FREQ=HOURLY;BYMINUTE={EVERY_MINUTE};BYSECOND=0,1,2,3,4,5,6,7,8,9,10",
    "half-hourly": "FREQ=HOURLY;BYMINUTE=0,30",
    "quarter-past": "FREQ=DAILY;BYHOUR=10;BYMINUTE=0,15",
    "twice-on-new-years-eve": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31;BYHOUR=23;BYMINUTE=0,30",
}
# February 29th is a Friday next in 2036, out of reach of a search from now (2026-11-26).
RARE = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=FR"


async def post_series(client: Client, headers: Headers, rrule: str) -> httpx.Response:
    cadence = {"rrule": rrule, "timezone": BRUSSELS}
    return await client.post(SERIES, json={"title": "T", "cadence": cadence}, headers=headers)


def refusal(response: httpx.Response) -> str:
    """The detail of a 422 about the rule."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["cadence.rrule"]
    detail: str = body["detail"]
    return detail


# --- accepting a rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rrule",
    [*NEVER.values(), RARE, "FREQ=WEEKLY;UNTIL=20200101T000000Z"],
    ids=[*NEVER, "rare", "ended"],
)
async def test_a_rule_without_a_slot_in_the_next_two_years_is_422(
    client: Client, editor: Headers, rrule: str
) -> None:
    detail = refusal(await post_series(client, editor, rrule))
    assert "no slot in the two years from" in detail


@pytest.mark.parametrize("rrule", DENSE.values(), ids=DENSE.keys())
async def test_a_rule_with_slots_less_than_an_hour_apart_is_422(
    client: Client, editor: Headers, rrule: str
) -> None:
    detail = refusal(await post_series(client, editor, rrule))
    assert "less than an hour apart" in detail


async def test_a_changed_cadence_is_checked_the_same_way(client: Client, editor: Headers) -> None:
    series = await make_series(client, editor)
    for rrule in (NEVER["hourly-2nd"], DENSE["half-hourly"]):
        cadence = {"rrule": rrule, "timezone": BRUSSELS}
        response = await client.patch(
            f"{SERIES}/{series['id']}", json={"cadence": cadence}, headers=editor
        )
        refusal(response)


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=HOURLY",
        "FREQ=DAILY;BYHOUR=9,10;BYMINUTE=30",
        f"FREQ=HOURLY;BYMINUTE={EVERY_MINUTE};BYSETPOS=1",  # the first of each hour: hourly
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",  # 2028
        "FREQ=WEEKLY;INTERVAL=1000;BYDAY=FR",  # tomorrow, then in nineteen years
    ],
    ids=["hourly", "two-a-day", "setpos-hourly", "leap-day", "once-in-a-while"],
)
async def test_rules_at_most_hourly_with_a_slot_soon_are_accepted(
    client: Client, editor: Headers, rrule: str
) -> None:
    response = await post_series(client, editor, rrule)
    assert response.status_code == 201, response.text


# --- bad rules already stored --------------------------------------------------------------------

BAD_STORED = {**NEVER, **DENSE, "minutely": "FREQ=MINUTELY", "garbage": "FREQ=WEEKLY;BYDAY=XX"}


async def store_rule(db: asyncpg.Connection, series: Json, rrule: str) -> None:
    """As a rule written before rules were checked this way, or written by SQL, is found."""
    await db.execute(
        "UPDATE series SET cadence_rrule = $2 WHERE id = $1", UUID(series["id"]), rrule
    )


@pytest.mark.parametrize("rrule", BAD_STORED.values(), ids=BAD_STORED.keys())
async def test_a_bad_stored_rule_lists_no_slots(
    client: Client, editor: Headers, db: asyncpg.Connection, series: Json, rrule: str
) -> None:
    await store_rule(db, series, rrule)
    for params in ({"count": 1}, {"count": 100}, {"from": "2035-01-01T00:00:00Z"}):
        response = await client.get(f"{SERIES}/{series['id']}/slots", params=params, headers=editor)
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []


@pytest.mark.parametrize("rrule", BAD_STORED.values(), ids=BAD_STORED.keys())
async def test_a_bad_stored_rule_has_no_open_slots_in_the_calendar(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    clock: MovableClock,
    series: Json,
    rrule: str,
) -> None:
    other = await make_series(client, editor, title="Other")
    await store_rule(db, series, rrule)
    secret = (await bearer(db, Role.calendar, clock))["Authorization"].removeprefix("Bearer ")
    for params in ({}, {"series": series["slug"]}):
        response = await client.get(CALENDAR, params={**params, "token": secret})
        assert response.status_code == 200, response.text
        parsed = icalendar.Calendar.from_ical(response.content)
        uids = [str(event["UID"]) for event in parsed.walk("VEVENT")]
        assert not [uid for uid in uids if series["id"] in uid]
        if not params:  # the other series still shows its eight Thursdays
            assert len([uid for uid in uids if other["id"] in uid]) == 8


@pytest.mark.parametrize("rrule", BAD_STORED.values(), ids=BAD_STORED.keys())
async def test_a_bad_stored_rule_has_no_free_slot_and_no_slot_to_check(
    client: Client, editor: Headers, db: asyncpg.Connection, series: Json, rrule: str
) -> None:
    people = [await make_person(client, editor, name) for name in ("Ana Ruiz", "Ben Okafor")]
    item = await make_interview(client, editor, series, *people, title="Mine")
    await store_rule(db, series, rrule)
    schedule = f"/admin/v1/interviews/{item['id']}/schedule"

    response = await client.post(schedule, json={"slot": "next"}, headers=editor)
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["field"] == "slot"
    assert "no free slot" in response.json()["detail"]

    at = "2026-12-03T09:00:00Z"
    response = await client.post(schedule, json={"publish_at": at}, headers=editor)
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["field"] == "publish_at"
    assert "no later slot" in response.json()["detail"]

    response = await client.post(schedule, json={"publish_at": at, "confirm": True}, headers=editor)
    assert response.status_code == 200, response.text


async def test_a_slot_out_of_reach_is_found_from_nearer_to_it(
    client: Client, editor: Headers, db: asyncpg.Connection, series: Json
) -> None:
    await store_rule(db, series, RARE)
    response = await client.get(f"{SERIES}/{series['id']}/slots", headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
    response = await client.get(
        f"{SERIES}/{series['id']}/slots",
        params={"from": "2034-06-01T00:00:00Z", "count": 2},
        headers=editor,
    )
    assert [s["local"] for s in response.json()["items"]] == ["2036-02-29T00:00:00+01:00"]


async def test_a_bad_stored_timezone_has_no_slots(
    client: Client, editor: Headers, db: asyncpg.Connection, series: Json
) -> None:
    people = [await make_person(client, editor, name) for name in ("Ana Ruiz", "Ben Okafor")]
    item = await make_interview(client, editor, series, *people, title="Mine")
    await db.execute(
        "UPDATE series SET cadence_timezone = 'Mars/Olympus_Mons' WHERE id = $1",
        UUID(series["id"]),
    )
    response = await client.get(f"{SERIES}/{series['id']}/slots", headers=editor)
    assert (response.status_code, response.json()["items"]) == (200, [])
    response = await client.get(CALENDAR, params={"series": series["slug"]}, headers=editor)
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT") == []
    schedule = f"/admin/v1/interviews/{item['id']}/schedule"
    response = await client.post(schedule, json={"slot": "next"}, headers=editor)
    assert response.status_code == 409, response.text
    at = "2026-12-03T09:00:00Z"
    response = await client.post(schedule, json={"publish_at": at}, headers=editor)
    assert response.status_code == 409, response.text
    assert "2026-12-03T09:00:00+00:00 is not a slot" in response.json()["detail"]
