"""Log records: JSON lines for machines, text for people, each with the request it belongs to.

Every record goes through one `LineWriter` per process, which writes whole lines to stdout in
writes of at most PIPE_BUF bytes: several server workers share one stdout, and a pipe keeps
such a write in one piece, so their lines never interleave mid-line. Lines are buffered for up
to FLUSH_SECONDS (at once for warnings and errors), so that the access record of a cache hit
costs a list append rather than a system call.
"""

import asyncio
import contextlib
import logging
import os
import sys
import time
from contextvars import ContextVar
from typing import IO, Any

import msgspec

from app.settings import Settings

PIPE_BUF = 4096
FLUSH_SECONDS = 0.25

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# What every LogRecord has; anything else on a record came as `extra=` and is a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class LineWriter:
    """Whole lines to a file descriptor (or, in tests, a text stream), buffered briefly."""

    def __init__(self, target: int | IO[str], as_json: bool) -> None:
        self.target = target
        self.as_json = as_json  # how its lines are written: JSON, or text for a person
        self.lines: list[bytes] = []
        self.size = 0
        self.flush_pending = False

    def write(self, line: bytes, urgent: bool = False) -> None:
        if self.size + len(line) > PIPE_BUF:
            self.flush()
        self.lines.append(line)
        self.size += len(line)
        if urgent:
            self.flush()
        elif not self.flush_pending:
            self._flush_soon()

    def flush(self) -> None:
        if not self.lines:
            return
        data, self.lines, self.size = b"".join(self.lines), [], 0
        if isinstance(self.target, int):
            # A closed or broken stdout (the terminal went away) must not break a request.
            with contextlib.suppress(OSError):
                os.write(self.target, data)
        else:
            self.target.write(data.decode())
            self.target.flush()

    def _flush_soon(self) -> None:
        """One timer at a time: a busy server fills PIPE_BUF many times before it fires."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a command, start-up): write at once
            self.flush()
            return
        self.flush_pending = True
        loop.call_later(FLUSH_SECONDS, self._flush_timed)

    def _flush_timed(self) -> None:
        self.flush_pending = False
        self.flush()


def json_line(fields: dict[str, Any]) -> bytes:
    return msgspec.json.encode(fields) + b"\n"


def text_line(fields: dict[str, Any]) -> bytes:
    """`2026-11-29T10:00:00.123Z INFO colloquy.access GET /feeds/all.rss 200 ... k=v`."""
    head = f"{fields['ts']} {fields['level'].upper():<7} {fields['logger']} {fields['message']}"
    rest = " ".join(
        f"{name}={value}"
        for name, value in fields.items()
        if name not in ("ts", "level", "logger", "message") and value is not None
    )
    return f"{head} {rest}\n".encode() if rest else f"{head}\n".encode()


_second: tuple[int, str] = (0, "")


def timestamp(seconds: float | None = None) -> str:
    """`2026-11-29T10:00:00.123Z`, the date formatted once per second: it is on every line."""
    global _second
    now = time.time() if seconds is None else seconds
    whole = int(now)
    if _second[0] != whole:
        _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{_second[1]}.{int((now - whole) * 1000):03d}Z"


class LineHandler(logging.Handler):
    """Python's logging into the line writer, as JSON or text."""

    def __init__(self, writer: LineWriter, as_json: bool) -> None:
        super().__init__()
        self.writer = writer
        self.encode = json_line if as_json else text_line

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields: dict[str, Any] = {
                "ts": timestamp(record.created),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
                "request_id": request_id.get(),
            }
            fields |= {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
            if record.exc_info:
                fields["traceback"] = self.formatter_or_default().formatException(record.exc_info)
            self.writer.write(self.encode(fields), urgent=record.levelno >= logging.WARNING)
        except Exception:  # a record that cannot be written must not break what logged it
            self.handleError(record)

    def formatter_or_default(self) -> logging.Formatter:
        return self.formatter or logging.Formatter()


def as_json(settings: Settings, stream: IO[str]) -> bool:
    if settings.log_format == "auto":
        return not stream.isatty()
    return settings.log_format == "json"


def configure(settings: Settings, stream: IO[str] | None = None) -> LineWriter:
    """Send every record of this process through one line writer; the writer, for the access
    log. Called once per process (the command, each server worker)."""
    stream = stream or sys.stdout
    target: int | IO[str] = stream.fileno() if stream is sys.stdout else stream
    writer = LineWriter(target, as_json(settings, stream))
    handler = LineHandler(writer, writer.as_json)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    return writer
