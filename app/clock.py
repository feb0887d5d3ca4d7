"""The one source of "now", so that tests can move time."""

from datetime import UTC, datetime

from litestar.di import NamedDependency


class Clock:
    """Wall-clock time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


Now = NamedDependency[datetime]
"""A handler parameter `now: Now` gets the app clock's time at the start of the request."""
