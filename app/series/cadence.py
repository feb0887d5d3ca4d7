"""A series' cadence, an RFC 5545 RRULE read in an IANA timezone: checking it, and its slots.

Slots keep their wall-clock time across daylight-saving changes: the rule runs on naive local
times and the zone is attached afterwards, so "Thursday 10:00 Europe/Brussels" is 09:00 UTC in
winter and 08:00 UTC in summer.

The rule starts (its DTSTART) at local midnight of the day the series was created, the anchor.
That day sets the phase of an INTERVAL, where a COUNT starts counting, and what the rule leaves
open: the time of day (00:00 unless BYHOUR and BYMINUTE say otherwise), the weekday of a WEEKLY
rule without BYDAY, the day of a MONTHLY rule without BYMONTHDAY or BYDAY.

Local times that a change of UTC offset skips or repeats follow one rule, RFC 5545's for a
DTSTART in a gap and Python's fold=0 (PEP 495): the time is read in the offset in force just
before the change. So
- a time that does not exist moves forward by the length of the gap: on the night Brussels
  jumps from 02:00 to 03:00, a 02:30 slot is at 03:30 local (01:30 UTC);
- a time that occurs twice is the first of the two: on the night Brussels goes back from 03:00
  to 02:00, a 02:30 slot is at 02:30 summer time (00:30 UTC), not an hour later.
Two local times that come to the same instant that way are one slot.

No cadence can keep the process busy. A search for slots looks at most SEARCH_WINDOW (two
years) past where it starts, reads at most MAX_MONTHS months of the calendar and MAX_OCCURRENCES
occurrences of the rule, and starts the rule shortly before the search rather than at the anchor
(`_first_day`). A series is given only a rule with a slot in the two years from then and no two
slots less than an hour apart; a stored rule that breaks these (written before they were
checked, or by SQL) has no slots at all.
"""

import asyncio
import heapq
import math
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, pairwise, takewhile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from app.errors import ProblemError
from app.series.schemas import Cadence

# UTC offsets lie within -12 and +14 hours, so local times more than 26 hours apart are in the
# order of their instants whatever the offsets (a gap moves a time forward by less than that).
MARGIN = timedelta(days=2)
UNTIL_FORMAT = "%Y%m%dT%H%M%SZ"

# A series appears at most hourly, and a search for slots looks this far past where it starts.
MIN_GAP = timedelta(hours=1)
SEARCH_WINDOW = timedelta(days=732)
# Slots at most hourly are at most this many in a search window.
MOST_IN_WINDOW = SEARCH_WINDOW // MIN_GAP
# How much one search may read: months of the calendar (periods, for a MONTHLY or YEARLY rule)
# and occurrences of the rule. A rule is read from a little before the search's start, which
# stays well within these, except a rule with COUNT, read from its anchor.
MAX_MONTHS = 12 * 20
MAX_OCCURRENCES = 50_000

RuleProblem = tuple[str, str]  # the field that is wrong, and why


def rule_problem(cadence: Cadence) -> RuleProblem | None:
    """What makes the cadence unusable, as far as can be told without expanding it."""
    if _known_zone(cadence.timezone) is None:
        return "cadence.timezone", f"unknown IANA timezone {cadence.timezone!r}"
    parts = _parts(cadence.rrule)
    if "FREQ" not in parts:
        return "cadence.rrule", "the RRULE needs a FREQ part"
    if parts["FREQ"] in ("MINUTELY", "SECONDLY"):
        return "cadence.rrule", "a series appears at most hourly: no MINUTELY or SECONDLY"
    if "COUNT" in parts and "UNTIL" in parts:
        return "cadence.rrule", "give COUNT or UNTIL, not both (RFC 5545)"
    detail = _out_of_range(parts) or _no_month_day(parts)
    if detail is not None:
        return "cadence.rrule", detail
    try:
        parse_rule(cadence, date(2000, 1, 1))
    except (ValueError, TypeError) as error:
        return "cadence.rrule", f"the RRULE does not parse: {error}"
    return None


def validate_cadence(cadence: Cadence, now: datetime) -> None:
    """422 unless a series may have this cadence: its rule, started today, has a slot in the two
    years from now, and no two of those slots less than an hour apart.

    Counting the slots themselves is what "at most hourly" means: an HOURLY rule with several
    BYMINUTE or BYSECOND values has several an hour, and a YEARLY one can have two at once."""
    problem = rule_problem(cadence)
    if problem is not None:
        field, detail = problem
        raise ProblemError(422, detail, field=field)
    anchor = anchor_day(now, cadence.timezone)
    found = list(islice(slots(cadence, anchor, now), MOST_IN_WINDOW + 1))
    if not found:
        raise ProblemError(
            422,
            "the rule has no slot in the two years from now: it never occurs, has ended, "
            "or first occurs later than that",
            field="cadence.rrule",
        )
    close = _too_close(found)
    if close is not None:
        first, second = (wall_clock(at, cadence.timezone) for at in close)
        raise ProblemError(
            422,
            f"a series appears at most hourly, but this rule has slots less than an hour apart, "
            f"such as {first} and {second}",
            field="cadence.rrule",
        )


def _known_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        return None


def _parts(text: str) -> dict[str, str]:
    return dict(part.partition("=")[::2] for part in text.upper().split(";"))


# RFC 5545 bounds that dateutil does not check itself.
_RANGES = {
    "INTERVAL": (1, 1000),
    "COUNT": (1, 100_000),
    "BYSECOND": (0, 60),
    "BYMINUTE": (0, 59),
    "BYHOUR": (0, 23),
    "BYMONTHDAY": (-31, 31),
    "BYYEARDAY": (-366, 366),
    "BYWEEKNO": (-53, 53),
    "BYMONTH": (1, 12),
    "BYSETPOS": (-366, 366),
}


def _out_of_range(parts: dict[str, str]) -> str | None:
    for name, (low, high) in _RANGES.items():
        for value in filter(None, parts.get(name, "").split(",")):
            number = int(value) if value.lstrip("+-").isdigit() else None
            if number is None or not low <= number <= high or (number == 0 and low < 0):
                return f"{name}={value} is out of range ({low} to {high})"
    return None


_LONGEST_MONTHS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _no_month_day(parts: dict[str, str]) -> str | None:
    # The search would find no slot either; this says why for the usual slip, February 30th.
    months = [int(m) for m in filter(None, parts.get("BYMONTH", "").split(","))] or range(1, 13)
    days = [abs(int(d)) for d in filter(None, parts.get("BYMONTHDAY", "").split(","))]
    if days and not any(day <= _LONGEST_MONTHS[month - 1] for month in months for day in days):
        return "no month in BYMONTH has a day in BYMONTHDAY"
    return None


def _too_close(times: list[datetime]) -> tuple[datetime, datetime] | None:
    """The first two consecutive times less than an hour apart."""
    return next(((a, b) for a, b in pairwise(times) if b - a < MIN_GAP), None)


def parse_rule(cadence: Cadence, first_day: date) -> tuple[rrule.rrule, datetime | None]:
    """The rule on naive local times from midnight of `first_day`, and its UNTIL as a UTC
    instant.

    RFC 5545 gives UNTIL in UTC when DTSTART has a timezone, and dateutil refuses a UTC UNTIL
    beside a naive DTSTART, so UNTIL is taken out here and applied to the instants."""
    until = None
    kept = []
    for part in cadence.rrule.split(";"):
        name, _, value = part.partition("=")
        if name.strip().upper() == "UNTIL":
            until = datetime.strptime(value.strip().upper(), UNTIL_FORMAT).replace(tzinfo=UTC)
        else:
            kept.append(part)
    rule = rrule.rrulestr(";".join(kept), dtstart=datetime.combine(first_day, time()))
    if not isinstance(rule, rrule.rrule):
        raise ValueError("give a single RRULE, not a set")
    return rule, until


class _BudgetSpent(Exception):
    pass


class _Scan(rrule.rrule):
    """A parsed rule whose occurrences end, as if the rule did, once it has read `months`
    months of the calendar or given MAX_OCCURRENCES occurrences.

    dateutil looks for the next occurrence period after period up to the year 9999 and checks
    UNTIL only against occurrences it finds, so a rule that never occurs (FREQ=HOURLY;BYSETPOS=2)
    keeps it busy for minutes. It rebuilds its masks each time it moves to another month (each
    period, for a MONTHLY or YEARLY rule) and reads `_byeaster` in doing so: that read is where
    months are counted. tests/series/test_cadence_search.py checks that the count still stops
    such a rule."""

    def __init__(self, rule: rrule.rrule, months: int) -> None:
        vars(self).update(vars(rule))  # the rule as dateutil parsed it
        self._months_left = months

    @property
    def _byeaster(self) -> tuple[int, ...] | None:
        self._months_left -= 1
        if self._months_left < 0:
            raise _BudgetSpent
        byeaster: tuple[int, ...] | None = vars(self)["_byeaster"]
        return byeaster

    def __iter__(self) -> Iterator[datetime]:
        try:
            yield from islice(super().__iter__(), MAX_OCCURRENCES)
        except _BudgetSpent:
            return


def _first_day(parts: dict[str, str], anchor: date, before: date) -> date:
    """The last day on or before `before` that starts the same slots as `anchor` from then on,
    or `anchor`.

    A search goes through the rule from its start, and would otherwise walk through every slot
    since the series began. Moving the start on by whole periods of the rule keeps the phase of
    its INTERVAL, and whole days (whole years for MONTHLY and YEARLY rules) keep what it takes
    from the start: the time, the weekday, the day of the month. The slots differ at most in the
    first period (dateutil starts a WEEKLY rule's first week on DTSTART), which ends before
    `before` + 7 days. A COUNT counts from the anchor, so that rule stays where it is."""
    if "COUNT" in parts or before <= anchor:
        return anchor
    interval = int(parts.get("INTERVAL") or 1)
    match parts["FREQ"]:
        case "HOURLY":
            return _days_later(anchor, math.lcm(interval, 24) // 24, before)
        case "DAILY":
            return _days_later(anchor, interval, before)
        case "WEEKLY":
            return _days_later(anchor, 7 * interval, before)
        case "MONTHLY":
            return _years_later(anchor, math.lcm(interval, 12) // 12, before)
        case "YEARLY":
            return _years_later(anchor, interval, before)
    return anchor


def _days_later(anchor: date, days: int, before: date) -> date:
    return anchor + timedelta(days=(before - anchor).days // days * days)


def _years_later(anchor: date, years: int, before: date) -> date:
    for times in range((before.year - anchor.year) // years, 0, -1):
        with suppress(ValueError):  # no February 29th that year
            day = anchor.replace(year=anchor.year + times * years)
            if day <= before:
                return day
    return anchor


def _months(first: date, last: datetime) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def slots(cadence: Cadence, anchor: date, start: datetime) -> Iterator[datetime]:
    """The cadence's slots at or after `start` and less than SEARCH_WINDOW after it, as UTC
    instants, in order, each once; fewer if the search reads MAX_MONTHS months or
    MAX_OCCURRENCES occurrences first."""
    zone = ZoneInfo(cadence.timezone)
    try:
        start = max(start, datetime.combine(anchor, time(), zone).astimezone(UTC))
        end = start + SEARCH_WINDOW
        # Local times within MARGIN of these may still be instants between start and end.
        first_local = start.astimezone(zone).replace(tzinfo=None) - MARGIN
        last_local = end.astimezone(zone).replace(tzinfo=None) + MARGIN
        first_day = _first_day(
            _parts(cadence.rrule), anchor, first_local.date() - timedelta(weeks=1)
        )
        rule, until = parse_rule(cadence, first_day)
        if until is not None:
            rule = rule.replace(until=until.astimezone(zone).replace(tzinfo=None) + MARGIN)
    except OverflowError:  # at the ends of the years datetime can hold
        return
    scan = _Scan(rule, months=min(MAX_MONTHS, _months(first_day, last_local) + 3))
    # A moved gap time can overtake the next local times, so instants wait in a heap until no
    # later local time can come before them.
    waiting: list[tuple[datetime, datetime]] = []  # (instant, local time)
    last = None
    for local in scan:
        if local > last_local:
            break
        if local < first_local:
            continue
        while waiting and waiting[0][1] < local - MARGIN:
            instant = heapq.heappop(waiting)[0]
            if instant != last:
                yield instant
            last = instant
        try:
            instant = local.replace(tzinfo=zone).astimezone(UTC)
        except OverflowError:
            break
        if start <= instant < end and (until is None or instant <= until):
            heapq.heappush(waiting, (instant, local))
    while waiting:
        instant = heapq.heappop(waiting)[0]
        if instant != last:
            yield instant
        last = instant


def find_slots(
    cadence: Cadence,
    created_at: datetime,
    start: datetime,
    count: int,
    before: datetime | None = None,
) -> list[datetime]:
    """The first `count` of the slots `slots` finds from `start` (and before `before`), for a
    series created at `created_at`.

    None at all for a cadence no series may have: stored before rules were checked as they are
    now, or written around the API. A rule more than hourly is seen as such when any two of the
    slots looked at (one more than asked for) are less than an hour apart."""
    if rule_problem(cadence) is not None:
        return []
    found = slots(cadence, anchor_day(created_at, cadence.timezone), start)
    if before is not None:
        found = takewhile(lambda at: at < before, found)
    times = list(islice(found, count + 1))
    return [] if _too_close(times) else times[:count]


async def search_slots(
    cadence: Cadence,
    created_at: datetime,
    start: datetime,
    count: int,
    before: datetime | None = None,
) -> list[datetime]:
    """`find_slots` in a worker thread: a search is bounded, yet may take a moment that no
    other request should wait for."""
    return await asyncio.to_thread(find_slots, cadence, created_at, start, count, before)


def anchor_day(created_at: datetime, timezone: str) -> date:
    """The local day a series was created, where its rule starts."""
    return created_at.astimezone(ZoneInfo(timezone)).date()


def wall_clock(instant: datetime, timezone: str) -> str:
    """An instant as the series' local time with its offset: 2026-12-03T10:00:00+01:00; in UTC
    if the zone is unknown, as a zone written around the API may be."""
    return instant.astimezone(_known_zone(timezone) or UTC).isoformat()
