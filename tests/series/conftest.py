"""`bounded_scans`: a guard that fails a test whose searches for slots read too much of the
calendar."""

from typing import Any

import pytest
from dateutil import rrule

MONTHS_A_TEST_MAY_SCAN = 3000


class ScannedTooFar(AssertionError):
    pass


@pytest.fixture
def bounded_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any search for slots raise ScannedTooFar once the test has read, in all, more than
    3000 months of the calendar.

    dateutil rebuilds its masks for each month it moves on to (each period of a MONTHLY or
    YEARLY rule). An unbounded search for a rule that never occurs does so up to the year 9999,
    which takes seconds to minutes: counting the rebuilds measures that work without timing it."""
    iterinfo = vars(rrule)["_iterinfo"]
    rebuild = iterinfo.rebuild
    months = 0

    def counted(self: Any, year: int, month: int) -> None:
        nonlocal months
        months += 1
        if months > MONTHS_A_TEST_MAY_SCAN:
            raise ScannedTooFar(f"the searches read more than {MONTHS_A_TEST_MAY_SCAN} months")
        rebuild(self, year, month)

    monkeypatch.setattr(iterinfo, "rebuild", counted)
