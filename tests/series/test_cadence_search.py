"""The search for slots: bounded in how far it looks and how much it reads, and the same slots
wherever it starts the rule."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

import pytest
from dateutil import rrule

from app.series.cadence import SEARCH_WINDOW, find_slots, slots
from app.series.schemas import Cadence

BRUSSELS = "Europe/Brussels"
NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)
OLD = datetime(2006, 5, 31, 12, tzinfo=UTC)  # a Wednesday, the 31st, twenty years back


def by_dateutil(text: str, anchor: date, start: datetime, count: int) -> list[datetime]:
    """The first slots from `start` of a rule in UTC, as dateutil finds them from the anchor."""
    rule = rrule.rrulestr(text, dtstart=datetime.combine(anchor, time()))
    found = islice(rule.xafter(start.replace(tzinfo=None), inc=True), count)
    return [at.replace(tzinfo=UTC) for at in found]


@pytest.mark.parametrize(
    ("text", "created_at"),
    [
        ("FREQ=HOURLY;INTERVAL=7", OLD),
        ("FREQ=HOURLY;INTERVAL=5;BYHOUR=2,7,12", OLD),
        ("FREQ=DAILY;INTERVAL=10;BYHOUR=9", OLD),
        ("FREQ=WEEKLY;INTERVAL=3", OLD),
        # dateutil starts the first week on the anchor, so BYSETPOS=1 is a Saturday there.
        ("FREQ=WEEKLY;BYDAY=MO,SA;BYSETPOS=1", OLD),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;WKST=SU", OLD),
        ("FREQ=MONTHLY;INTERVAL=5", OLD),  # on the 31st, in the months that have one
        ("FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=1", OLD),
        ("FREQ=YEARLY;INTERVAL=3;BYWEEKNO=20;BYDAY=TH", OLD),
        ("FREQ=YEARLY", datetime(2008, 2, 29, tzinfo=UTC)),  # every leap day
        ("FREQ=YEARLY;INTERVAL=2;BYMONTH=2,3", datetime(2096, 2, 29, tzinfo=UTC)),  # 2100
    ],
)
def test_a_search_long_after_the_anchor_finds_what_dateutil_does(
    text: str, created_at: datetime
) -> None:
    cadence = Cadence(rrule=text, timezone="UTC")
    starts = [NOW + timedelta(days=days, hours=7 * days) for days in range(8)]
    first = datetime.combine(created_at.date(), time(), UTC)
    for start in [*starts, datetime(2104, 3, 1, 13, tzinfo=UTC), created_at]:
        expected = by_dateutil(text, created_at.date(), start, 5)
        expected = [at for at in expected if at < max(start, first) + SEARCH_WINDOW]
        assert find_slots(cadence, created_at, start, 5) == expected, start


def test_a_search_looks_two_years_ahead() -> None:
    weekly = Cadence(rrule="FREQ=WEEKLY", timezone=BRUSSELS)
    found = list(slots(weekly, OLD.date(), NOW))
    assert NOW <= found[0] < NOW + timedelta(weeks=1)
    assert found[-1] < NOW + SEARCH_WINDOW <= found[-1] + timedelta(weeks=1)
    assert find_slots(weekly, OLD, NOW, 1000) == found
    assert find_slots(weekly, OLD, NOW, 1000, NOW + timedelta(weeks=2)) == found[:2]


@pytest.mark.parametrize(
    ("text", "created_at"),
    [
        ("FREQ=HOURLY;BYSETPOS=2", OLD),
        ("FREQ=HOURLY;BYSETPOS=366;BYHOUR=1", OLD),
        # A COUNT counts from the anchor, so this rule is read from 1990: for 20 years at most.
        ("FREQ=HOURLY;BYSETPOS=2;COUNT=5", datetime(1990, 1, 1, tzinfo=UTC)),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", OLD),
    ],
)
@pytest.mark.usefixtures("bounded_scans")
def test_a_search_for_a_rule_that_never_occurs_ends(text: str, created_at: datetime) -> None:
    # Unbounded, each would read every month to the year 9999; the guard stops it at 3000.
    cadence = Cadence(rrule=text, timezone=BRUSSELS)
    assert list(slots(cadence, created_at.date(), NOW)) == []


@pytest.mark.usefixtures("bounded_scans")
def test_a_rule_with_count_is_counted_from_its_anchor() -> None:
    # Thursday 2016-11-24 is the first of 525 Thursdays; the 523rd is the clock's now.
    count = Cadence(rrule="FREQ=WEEKLY;BYHOUR=10;COUNT=525", timezone=BRUSSELS)
    created_at = datetime(2016, 11, 24, 12, tzinfo=UTC)
    assert find_slots(count, created_at, NOW, 10) == [
        NOW,
        NOW + timedelta(weeks=1),
        NOW + timedelta(weeks=2),
    ]


def test_a_rule_more_than_hourly_has_no_slots_not_even_the_first() -> None:
    dense = Cadence(rrule="FREQ=HOURLY;BYMINUTE=0,30", timezone=BRUSSELS)
    assert list(islice(slots(dense, NOW.date(), NOW), 2)) == [NOW, NOW + timedelta(minutes=30)]
    assert find_slots(dense, NOW, NOW, 1) == []


@pytest.mark.parametrize(
    "cadence",
    [
        Cadence(rrule="FREQ=WEEKLY;BYDAY=XX", timezone=BRUSSELS),
        Cadence(rrule="FREQ=MINUTELY", timezone=BRUSSELS),
        Cadence(rrule="FREQ=WEEKLY;COUNT=1000000", timezone=BRUSSELS),
        Cadence(rrule="FREQ=WEEKLY", timezone="Mars/Olympus_Mons"),
    ],
    ids=["garbage", "minutely", "count", "zone"],
)
def test_a_cadence_no_series_may_have_has_no_slots(cadence: Cadence) -> None:
    assert find_slots(cadence, NOW, NOW, 10) == []


@pytest.mark.parametrize(
    "start",
    [datetime(9997, 12, 28, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC)],
    ids=["window-past-9999", "last-hour"],
)
def test_a_search_near_the_end_of_time_finds_nothing(start: datetime) -> None:
    weekly = Cadence(rrule="FREQ=WEEKLY", timezone="Pacific/Kiritimati")  # +14:00
    assert find_slots(weekly, NOW, start, 1) == []
