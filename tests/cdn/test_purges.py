"""Every public change writes, in its own transaction, a purge of exactly the keys it touched:
an interview's at its event's dispatch (a scheduled publication at its time), a series', a
person's and the editors' choice's by trigger. Changes nobody sees purge nothing."""

from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg
import pytest

from app.settings import Settings
from tests.cdn import forget_purges, interview_purge, purged
from tests.conftest import MovableClock
from tests.events import dispatch
from tests.factories import Client, Headers, Json
from tests.helpers import publish, schedule, withdraw

Dispatch = Callable[[], Awaitable[int]]


@pytest.fixture
def dispatched(pool: asyncpg.Pool, clock: MovableClock, settings: Settings) -> Dispatch:
    """One round of event dispatch by the worker, at the clock's time."""
    return lambda: dispatch(pool, clock, settings)


@pytest.fixture
def subjects(interview: Json) -> tuple[str, ...]:
    people = (f"person:{p['person_id']}" for p in interview["participants"])
    return (f"series:{interview['series_id']}", *people)


async def test_a_publication_purges_the_interview_its_lists_and_every_list(
    client: Client,
    editor: Headers,
    interview: Json,
    subjects: tuple[str, ...],
    db: asyncpg.Connection,
    dispatched: Dispatch,
) -> None:
    await forget_purges(db)
    await publish(client, editor, interview)
    assert await purged(db) == []  # written as the worker dispatches the event
    await dispatched()
    assert await purged(db) == [interview_purge(interview, *subjects)]


async def test_a_scheduled_publication_purges_at_its_time(
    client: Client,
    editor: Headers,
    interview: Json,
    subjects: tuple[str, ...],
    db: asyncpg.Connection,
    clock: MovableClock,
    dispatched: Dispatch,
) -> None:
    await forget_purges(db)
    await schedule(client, editor, interview, clock.now() + timedelta(hours=1))
    await dispatched()
    assert await purged(db) == []
    clock.advance(hours=1)
    await dispatched()
    assert await purged(db) == [interview_purge(interview, *subjects)]


async def test_an_edit_of_a_published_interview_purges_it_and_the_lists_it_joined(
    client: Client,
    editor: Headers,
    interview: Json,
    subjects: tuple[str, ...],
    db: asyncpg.Connection,
    dispatched: Dispatch,
) -> None:
    published = await publish(client, editor, interview)
    await dispatched()
    await forget_purges(db)
    response = await client.patch(
        f"/admin/v1/interviews/{published['id']}",
        json={"tags": ["riga"]},
        headers={**editor, "If-Match": "*"},
    )
    assert response.status_code == 200, response.text
    await dispatched()
    assert await purged(db) == [interview_purge(interview, *subjects, "tag:riga")]


async def test_a_withdrawal_purges(
    client: Client,
    editor: Headers,
    interview: Json,
    subjects: tuple[str, ...],
    db: asyncpg.Connection,
    dispatched: Dispatch,
) -> None:
    published = await publish(client, editor, interview)
    await dispatched()
    await forget_purges(db)
    await withdraw(client, editor, published)
    await dispatched()
    assert await purged(db) == [interview_purge(interview, *subjects)]


async def test_edits_of_a_draft_purge_nothing(
    client: Client,
    editor: Headers,
    interview: Json,
    db: asyncpg.Connection,
    dispatched: Dispatch,
) -> None:
    await forget_purges(db)
    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}",
        json={"title": "Still a draft"},
        headers={**editor, "If-Match": "*"},
    )
    assert response.status_code == 200, response.text
    await dispatched()
    assert await purged(db) == []


async def test_a_series_edit_purges_the_series_and_the_lists_of_series(
    client: Client, editor: Headers, series: Json, db: asyncpg.Connection
) -> None:
    await forget_purges(db)
    response = await client.patch(
        f"/admin/v1/series/{series['id']}", json={"title": "Friday Interview"}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert await purged(db) == [{f"series:{series['id']}", "series", "frontpage", "sitemaps"}]


async def test_hiding_a_series_purges_it_and_each_of_its_public_interviews(
    client: Client,
    editor: Headers,
    interview: Json,
    series: Json,
    subjects: tuple[str, ...],
    db: asyncpg.Connection,
    dispatched: Dispatch,
) -> None:
    await publish(client, editor, interview)
    await dispatched()
    await forget_purges(db)
    response = await client.patch(
        f"/admin/v1/series/{series['id']}", json={"visibility": "hidden"}, headers=editor
    )
    assert response.status_code == 200, response.text
    await dispatched()
    purges = await purged(db)
    assert len(purges) == 2
    assert {f"series:{series['id']}", "series", "frontpage", "sitemaps"} in purges
    assert interview_purge(interview, *subjects) in purges


async def test_a_person_edit_purges_the_person_and_the_lists_of_people(
    client: Client, editor: Headers, lauri: Json, db: asyncpg.Connection
) -> None:
    await forget_purges(db)
    response = await client.patch(
        f"/admin/v1/people/{lauri['id']}", json={"headline": "Editor"}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert await purged(db) == [{f"person:{lauri['id']}", "people", "sitemaps"}]


async def test_a_series_moved_to_the_trash_is_purged(
    client: Client, editor: Headers, series: Json, db: asyncpg.Connection
) -> None:
    await forget_purges(db)
    response = await client.delete(
        f"/admin/v1/series/{series['id']}", headers={**editor, "If-Match": "*"}
    )
    assert response.status_code == 204, response.text
    assert await purged(db) == [{f"series:{series['id']}", "series", "frontpage", "sitemaps"}]


async def test_setting_the_editors_choice_purges_the_front_page(
    client: Client, editor: Headers, interview: Json, db: asyncpg.Connection
) -> None:
    await forget_purges(db)
    response = await client.put(
        "/admin/v1/editors-choice", json=[{"interview_id": interview["id"]}], headers=editor
    )
    assert response.status_code == 200, response.text
    assert {"frontpage"} in await purged(db)
    assert all(keys == {"frontpage"} for keys in await purged(db))
