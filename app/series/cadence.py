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
"""

import heapq
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from app.errors import ProblemError
from app.series.schemas import Cadence

# UTC offsets lie within -12 and +14 hours, so local times more than 26 hours apart are in the
# order of their instants whatever the offsets (a gap moves a time forward by less than that).
MARGIN = timedelta(days=2)
UNTIL_FORMAT = "%Y%m%dT%H%M%SZ"


def validate_cadence(cadence: Cadence) -> None:
    try:
        ZoneInfo(cadence.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise ProblemError(
            422, f"unknown IANA timezone {cadence.timezone!r}", field="cadence.timezone"
        ) from None
    parts = dict(part.partition("=")[::2] for part in cadence.rrule.upper().split(";"))
    if "FREQ" not in parts:
        raise ProblemError(422, "the RRULE needs a FREQ part", field="cadence.rrule")
    if parts["FREQ"] in ("MINUTELY", "SECONDLY"):
        raise ProblemError(
            422, "a series appears at most hourly: no MINUTELY or SECONDLY", field="cadence.rrule"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ProblemError(
            422, "give COUNT or UNTIL, not both (RFC 5545)", field="cadence.rrule"
        )  # fmt: skip
    _check_ranges(parts)
    _check_month_days(parts)
    try:
        parse_rule(cadence, date(2000, 1, 1))
    except (ValueError, TypeError) as error:
        raise ProblemError(
            422, f"the RRULE does not parse: {error}", field="cadence.rrule"
        ) from None


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


def _check_ranges(parts: dict[str, str]) -> None:
    for name, (low, high) in _RANGES.items():
        for value in filter(None, parts.get(name, "").split(",")):
            number = int(value) if value.lstrip("+-").isdigit() else None
            if number is None or not low <= number <= high or (number == 0 and low < 0):
                raise ProblemError(
                    422, f"{name}={value} is out of range ({low} to {high})", field="cadence.rrule"
                )


_LONGEST_MONTHS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _check_month_days(parts: dict[str, str]) -> None:
    # dateutil looks for the first occurrence of a rule that never occurs up to the year 9999,
    # which takes seconds for a DAILY rule; this catches the usual such slip, February 30th.
    months = [int(m) for m in filter(None, parts.get("BYMONTH", "").split(","))] or range(1, 13)
    days = [abs(int(d)) for d in filter(None, parts.get("BYMONTHDAY", "").split(","))]
    if days and not any(day <= _LONGEST_MONTHS[month - 1] for month in months for day in days):
        raise ProblemError(
            422, "no month in BYMONTH has a day in BYMONTHDAY", field="cadence.rrule"
        )  # fmt: skip


def parse_rule(cadence: Cadence, anchor: date) -> tuple[rrule.rrule, datetime | None]:
    """The rule on naive local times from `anchor`, and its UNTIL as a UTC instant.

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
    rule = rrule.rrulestr(";".join(kept), dtstart=datetime.combine(anchor, time()))
    if not isinstance(rule, rrule.rrule):
        raise ValueError("give a single RRULE, not a set")
    return rule, until


def anchor_day(created_at: datetime, timezone: str) -> date:
    """The local day a series was created, where its rule starts."""
    return created_at.astimezone(ZoneInfo(timezone)).date()


def slots(cadence: Cadence, anchor: date, start: datetime) -> Iterator[datetime]:
    """The cadence's slots at or after `start`, as UTC instants, in order, each once."""
    zone = ZoneInfo(cadence.timezone)
    rule, until = parse_rule(cadence, anchor)
    try:
        start = max(start, datetime.combine(anchor, time(), zone).astimezone(UTC))
        local_start = start.astimezone(zone).replace(tzinfo=None)
        if until is not None:
            rule = rule.replace(until=until.astimezone(zone).replace(tzinfo=None) + MARGIN)
    except OverflowError:  # at the ends of the years datetime can hold
        return
    # A moved gap time can overtake the next local times, so instants wait in a heap until no
    # later local time can come before them.
    waiting: list[tuple[datetime, datetime]] = []  # (instant, local time)
    last = None
    for local in rule.xafter(local_start - MARGIN, inc=True):
        while waiting and waiting[0][1] < local - MARGIN:
            instant = heapq.heappop(waiting)[0]
            if instant != last:
                yield instant
            last = instant
        try:
            instant = local.replace(tzinfo=zone).astimezone(UTC)
        except OverflowError:
            break
        if instant >= start and (until is None or instant <= until):
            heapq.heappush(waiting, (instant, local))
    while waiting:
        instant = heapq.heappop(waiting)[0]
        if instant != last:
            yield instant
        last = instant


def wall_clock(instant: datetime, timezone: str) -> str:
    """An instant as the series' local time with its offset: 2026-12-03T10:00:00+01:00."""
    return instant.astimezone(ZoneInfo(timezone)).isoformat()
