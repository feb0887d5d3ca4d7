"""Checking a series' cadence: an RRULE that parses, in a timezone that exists."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from app.errors import ProblemError
from app.series.schemas import Cadence


def validate_cadence(cadence: Cadence) -> None:
    try:
        zone = ZoneInfo(cadence.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProblemError(
            422, f"unknown IANA timezone {cadence.timezone!r}", field="cadence.timezone"
        ) from None
    if not cadence.rrule.upper().startswith("FREQ=") and ";FREQ=" not in cadence.rrule.upper():
        raise ProblemError(422, "the RRULE needs a FREQ part", field="cadence.rrule")
    try:
        rule = rrule.rrulestr(cadence.rrule, dtstart=datetime(2000, 1, 1, tzinfo=zone))
    except (ValueError, TypeError) as error:
        raise ProblemError(
            422, f"the RRULE does not parse: {error}", field="cadence.rrule"
        ) from None
    if not isinstance(rule, rrule.rrule):
        raise ProblemError(422, "give a single RRULE, not a set", field="cadence.rrule")
