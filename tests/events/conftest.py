"""The event tests' live receiver (the draft they send about is the root conftest's)."""

from collections.abc import AsyncIterator

import pytest

from tests.events import Receiver, receiving


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as started:
        yield started
