"""iCalendar (RFC 5545) text: just what the editorial calendar needs, written by hand."""

import re
from collections.abc import Iterable
from datetime import UTC, datetime

import msgspec

PRODID = "-//Colloquy//Editorial calendar//EN"
LINE_OCTETS = 75
MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8" to text types

# RFC 5545 3.3.11: TEXT may hold no control character but HTAB; line breaks are escaped first.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class CalendarEvent(msgspec.Struct, kw_only=True):
    uid: str
    stamp: datetime  # when its information last changed
    start: datetime
    summary: str
    description: str = ""
    url: str | None = None


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROLS.sub("", text)


def utc(moment: datetime) -> str:
    """A DATE-TIME in UTC: 20261203T090000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """A content line cut into lines of at most 75 octets, each after the first starting with
    a space, never inside a UTF-8 character."""
    pieces: list[str] = []
    piece: list[str] = []
    size, limit = 0, LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(piece))
            piece, size, limit = [], 0, LINE_OCTETS - 1  # the leading space counts
        piece.append(char)
        size += width
    pieces.append("".join(piece))
    return "\r\n ".join(pieces)


def _event(event: CalendarEvent) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape(event.uid)}",
        f"DTSTAMP:{utc(event.stamp)}",
        f"DTSTART:{utc(event.start)}",
        f"SUMMARY:{escape(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.url:
        lines.append(f"URL:{_CONTROLS.sub('', event.url)}")
    # Publication times are not meetings: they should not make anyone look busy.
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def calendar(name: str, events: Iterable[CalendarEvent], description: str = "") -> bytes:
    """A VCALENDAR with these events, CRLF line endings and folded lines."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    if description:
        lines.append(f"X-WR-CALDESC:{escape(description)}")
    for event in events:
        lines += _event(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode()
