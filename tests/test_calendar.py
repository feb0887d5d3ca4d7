"""The editorial calendar as iCalendar, read back with a standard parser as calendar apps do."""

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import icalendar
import pytest

from app.auth import Role
from app.calendar.ics import CalendarEvent, calendar, escape, fold
from tests.conftest import MovableClock, bearer
from tests.factories import Client, Json, make_interview, make_series
from tests.helpers import acted

CALENDAR = "/admin/v1/calendar.ics"
Headers = dict[str, str]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def secret(headers: Headers) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def fetch(client: Client, headers: Headers, **params: Any) -> httpx.Response:
    response = await client.get(CALENDAR, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return response


def parse(response: httpx.Response) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(response.content)


def events(parsed: icalendar.Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


def slot_uid(series: Json, stamp: str) -> str:
    return f"slot-{series['id']}-{stamp}@colloquy"


async def interview(client: Client, editor: Headers, series: Json, people: Any, title: str) -> Json:
    return await make_interview(client, editor, series, *people, title=title)


async def test_the_calendar_opens_in_an_icalendar_parser(
    client: Client, editor: Headers, series: Json, people: Any
) -> None:
    scheduled = await interview(client, editor, series, people, "Scheduled")
    await acted(client, editor, scheduled, "schedule", publish_at="2026-12-03T10:00:00+01:00")
    published = await interview(client, editor, series, people, "Published")
    await acted(client, editor, published, "publish")
    await interview(client, editor, series, people, "Draft")
    withdrawn = await interview(client, editor, series, people, "Withdrawn")
    await acted(client, editor, withdrawn, "publish")
    await acted(client, editor, withdrawn, "withdraw")

    response = await fetch(client, editor)
    assert response.headers["cache-control"] == "private, no-cache"
    parsed = parse(response)
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["PRODID"]) == "-//Colloquy//Editorial calendar//EN"
    assert str(parsed["CALSCALE"]) == "GREGORIAN"
    assert str(parsed["X-WR-CALNAME"]) == "Colloquy editorial calendar"

    found = events(parsed)
    event = found[f"{scheduled['id']}@colloquy"]
    assert str(event["SUMMARY"]) == "Scheduled"
    assert event.decoded("DTSTART") == utc(2026, 12, 3, 9)
    assert event.decoded("DTSTAMP") == datetime.fromisoformat(
        (await client.get(f"/admin/v1/interviews/{scheduled['id']}", headers=editor)).json()[
            "updated_at"
        ]
    )
    assert str(event["DESCRIPTION"]) == "Series: Thursday Interview\nStatus: scheduled"
    assert str(event["URL"]) == f"https://news.example/interviews/{scheduled['slug']}"

    event = found[f"{published['id']}@colloquy"]
    assert event.decoded("DTSTART") == utc(2026, 11, 26, 9)  # the clock's now
    assert str(event["DESCRIPTION"]) == "Series: Thursday Interview\nStatus: published"

    # Eight weeks of Thursdays from now (itself a slot), less the one taken.
    open_slots = sorted(uid for uid in found if uid.startswith("slot-"))
    assert open_slots == sorted(
        slot_uid(series, stamp)
        for stamp in [
            "20261126T090000Z",
            "20261210T090000Z",
            "20261217T090000Z",
            "20261224T090000Z",
            "20261231T090000Z",
            "20270107T090000Z",
            "20270114T090000Z",
        ]
    )
    event = found[slot_uid(series, "20261210T090000Z")]
    assert str(event["SUMMARY"]) == "Open slot: Thursday Interview"
    assert event.decoded("DTSTART") == utc(2026, 12, 10, 9)
    assert len(found) == 2 + 7  # no draft, no withdrawn interview


async def test_lines_are_crlf_utc_and_folded_at_75_octets(
    client: Client, editor: Headers, series: Json, people: Any
) -> None:
    title = "Ж" + "A long conversation about borders, pipelines; and the sea " * 4
    title = title[:200]
    item = await interview(client, editor, series, people, title)
    await acted(client, editor, item, "schedule", publish_at="2026-12-03T09:00:00Z")

    raw = (await fetch(client, editor)).content
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # no bare line feed
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode()  # never cut inside a UTF-8 character
    assert b"DTSTART:20261203T090000Z" in lines
    summary = next(i for i, line in enumerate(lines) if line.startswith(b"SUMMARY:\xd0\x96A"))
    assert lines[summary + 1].startswith(b" ")  # the 200-character title goes on
    assert len(lines[summary]) == 75

    event = events(icalendar.Calendar.from_ical(raw))[f"{item['id']}@colloquy"]
    assert str(event["SUMMARY"]) == title


async def test_text_is_escaped(client: Client, editor: Headers, people: Any) -> None:
    series = await make_series(client, editor, title="Kyiv, Baku; back\\slash")
    item = await interview(client, editor, series, people, "Q&A; with, commas")
    await acted(client, editor, item, "schedule", publish_at="2026-12-03T09:00:00Z")

    response = await fetch(client, editor, series=series["slug"])
    assert b"SUMMARY:Q&A\\; with\\, commas\r\n" in response.content
    assert b"DESCRIPTION:Series: Kyiv\\, Baku\\; back\\\\slash\\nStatus: scheduled" in (
        response.content.replace(b"\r\n ", b"")
    )
    # X- properties are TEXT too (RFC 5545 3.8.8.2); the parser hands them over as they are.
    assert b"X-WR-CALNAME:Colloquy: Kyiv\\, Baku\\; back\\\\slash\r\n" in response.content
    parsed = parse(response)
    event = events(parsed)[f"{item['id']}@colloquy"]
    assert str(event["SUMMARY"]) == "Q&A; with, commas"
    assert str(event["DESCRIPTION"]) == "Series: Kyiv, Baku; back\\slash\nStatus: scheduled"


async def test_one_series_only(client: Client, editor: Headers, series: Json, people: Any) -> None:
    other = await make_series(client, editor, title="Monthly Conversation", cadence=None)
    theirs = await interview(client, editor, other, people, "Theirs")
    await acted(client, editor, theirs, "schedule", publish_at="2026-12-01T17:00:00Z")
    ours = await interview(client, editor, series, people, "Ours")
    await acted(client, editor, ours, "schedule", publish_at="2026-12-03T09:00:00Z")

    parsed = parse(await fetch(client, editor, series=other["slug"]))
    assert str(parsed["X-WR-CALNAME"]) == "Colloquy: Monthly Conversation"
    assert list(events(parsed)) == [f"{theirs['id']}@colloquy"]  # no cadence: no open slots

    found = events(parse(await fetch(client, editor, series=series["slug"])))
    assert f"{ours['id']}@colloquy" in found
    assert f"{theirs['id']}@colloquy" not in found
    assert len(found) == 1 + 7

    everything = events(parse(await fetch(client, editor)))
    assert set(found) | {f"{theirs['id']}@colloquy"} == set(everything)

    response = await client.get(CALENDAR, params={"series": "no-such"}, headers=editor)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_past_and_paused_are_left_out(
    client: Client, editor: Headers, series: Json, people: Any, clock: MovableClock
) -> None:
    old = await interview(client, editor, series, people, "Old")
    await acted(client, editor, old, "publish")
    clock.advance(weeks=8, seconds=1)
    recent = await interview(client, editor, series, people, "Recent")
    await acted(client, editor, recent, "publish")
    response = await client.patch(
        f"/admin/v1/series/{series['id']}", json={"status": "paused"}, headers=editor
    )
    assert response.status_code == 200, response.text

    assert list(events(parse(await fetch(client, editor)))) == [f"{recent['id']}@colloquy"]


async def test_a_calendar_token_in_the_query_string_works(
    client: Client, db: asyncpg.Connection, clock: MovableClock, series: Json
) -> None:
    response = await fetch(client, {}, token=secret(await bearer(db, Role.calendar, clock)))
    assert len(events(parse(response))) == 8


async def test_only_a_calendar_token_may_go_in_the_url(
    client: Client, contributor: Headers, series: Json
) -> None:
    response = await client.get(CALENDAR, params={"token": secret(contributor)})
    assert response.status_code == 401, response.text
    assert "calendar token" in response.json()["detail"]


async def test_a_calendar_token_can_do_nothing_else(
    client: Client, db: asyncpg.Connection, clock: MovableClock
) -> None:
    calendar_only = await bearer(db, Role.calendar, clock)
    assert (await client.get("/admin/v1/series", headers=calendar_only)).status_code == 403
    assert (await client.get("/admin/v1/interviews", headers=calendar_only)).status_code == 403


@pytest.mark.parametrize(
    "how",
    ["nothing", "bad-query-token", "bad-header", "empty-query-token", "revoked"],
)
async def test_without_a_valid_token_it_is_401(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, how: str
) -> None:
    headers: Headers = {}
    params: dict[str, str] = {}
    match how:
        case "bad-query-token":
            params["token"] = "cq_not-a-token"
        case "bad-header":
            headers["Authorization"] = "Bearer cq_not-a-token"
            params["token"] = secret(editor)  # the header is the one read
        case "empty-query-token":
            params["token"] = " "
        case "revoked":
            params["token"] = secret(await bearer(db, Role.calendar, clock))
            await db.execute("UPDATE tokens SET revoked_at = now()")
    response = await client.get(CALENDAR, params=params, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="colloquy"'


async def test_the_query_token_is_for_the_calendar_only(client: Client, editor: Headers) -> None:
    response = await client.get("/admin/v1/series", params={"token": secret(editor)})
    assert response.status_code == 401


def test_fold_counts_octets_and_keeps_characters_whole() -> None:
    assert fold("A" * 75) == "A" * 75
    assert fold("A" * 76) == "A" * 75 + "\r\n A"
    assert fold("A" * 75 + "B" * 74 + "C") == "A" * 75 + "\r\n " + "B" * 74 + "\r\n C"
    # "é" is two octets: the 38th would end at octet 76, so it starts the next line.
    assert fold("é" * 38) == "é" * 37 + "\r\n é"


def test_escape() -> None:
    assert escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert escape("bell\x07 tab\t") == "bell tab\t"


def test_an_empty_calendar() -> None:
    text = calendar("Empty", []).decode()
    assert text == (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Colloquy//Editorial calendar//EN\r\n"
        "CALSCALE:GREGORIAN\r\nX-WR-CALNAME:Empty\r\nEND:VCALENDAR\r\n"
    )
    assert icalendar.Calendar.from_ical(text).walk("VEVENT") == []


def test_an_event_without_description_or_url() -> None:
    event = CalendarEvent(
        uid="x@colloquy",
        stamp=utc(2026, 11, 26, 9),
        start=datetime.fromisoformat("2026-12-03T10:00:00+01:00"),
        summary="S",
    )
    text = calendar("C", [event]).decode()
    assert "DTSTART:20261203T090000Z\r\n" in text
    assert "DESCRIPTION" not in text
    assert "URL" not in text


async def test_the_calendar_holds_at_most_1000_events_and_says_so(
    client: Client, editor: Headers, series: Json
) -> None:
    response = await fetch(client, editor)
    assert response.headers["x-calendar-truncated"] == "false"
    assert "X-WR-CALDESC" not in parse(response)

    # Hourly: 1344 open slots in the next eight weeks, and a Thursday slot at each 09:00 UTC.
    hourly = {"rrule": "FREQ=HOURLY", "timezone": "Europe/Brussels"}
    await make_series(client, editor, title="Hourly", cadence=hourly)
    response = await fetch(client, editor)
    assert response.headers["x-calendar-truncated"] == "true"
    parsed = parse(response)
    assert str(parsed["X-WR-CALDESC"]) == "Only the earliest 1000 events are shown."
    starts = sorted(event.decoded("DTSTART") for event in parsed.walk("VEVENT"))
    assert len(starts) == 1000
    assert starts[0] == utc(2026, 11, 26, 9)  # now: a slot of both series
    # 994 hourly slots and the six Thursdays from now to the 31st of December.
    assert starts[-1] == utc(2026, 11, 26, 9) + timedelta(hours=993) == utc(2027, 1, 6, 18)


async def test_the_openapi_document_gives_the_cap(client: Client) -> None:
    spec = (await client.get("/docs/openapi.json")).json()
    operation = spec["paths"]["/admin/v1/calendar.ics"]["get"]
    assert "At most 1000 events" in operation["description"]
    assert "X-Calendar-Truncated" in operation["responses"]["200"]["headers"]
