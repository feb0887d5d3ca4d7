"""Fixtures shared by the event tests: a live receiver and a draft ready to schedule."""

from collections.abc import AsyncIterator

import pytest

from tests.events import Headers, Receiver, draft, receiving
from tests.factories import Client, Json, make_person, make_series


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as started:
        yield started


@pytest.fixture
async def series(client: Client, editor: Headers) -> Json:
    return await make_series(client, editor)


@pytest.fixture
async def lauri(client: Client, editor: Headers) -> Json:
    return await make_person(client, editor, "Lauri Nikulainen")


@pytest.fixture
async def interview(client: Client, editor: Headers, series: Json, lauri: Json) -> Json:
    return await draft(client, editor, series, lauri, "Murad Muradov")
