"""Checking a series' cadence: an RRULE that parses, in a timezone that exists."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from app.errors import ProblemError
from app.series.schemas import Cadence


def validate_cadence(cadence: Cadence) -> None:
    try:
        zone = ZoneInfo(cadence.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise ProblemError(
            422, f"unknown IANA timezone {cadence.timezone!r}", field="cadence.timezone"
        ) from None
    parts = dict(part.partition("=")[::2] for part in cadence.rrule.upper().split(";"))
    if "FREQ" not in parts:
        raise ProblemError(422, "the RRULE needs a FREQ part", field="cadence.rrule")
    _check_ranges(parts)
    try:
        rule = rrule.rrulestr(cadence.rrule, dtstart=datetime(2000, 1, 1, tzinfo=zone))
    except (ValueError, TypeError) as error:
        raise ProblemError(
            422, f"the RRULE does not parse: {error}", field="cadence.rrule"
        ) from None
    if not isinstance(rule, rrule.rrule):
        raise ProblemError(422, "give a single RRULE, not a set", field="cadence.rrule")


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
