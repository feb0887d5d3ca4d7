"""The outbox: each lifecycle change and each public edit writes its event in its transaction;
a refused request writes none."""

from datetime import timedelta
from uuid import UUID

import asyncpg
import pytest

from app.settings import Settings
from tests.conftest import MovableClock
from tests.events import Headers, dispatch, events_of
from tests.factories import Client, Json
from tests.helpers import act, publish, schedule, unschedule, withdraw


def kinds(rows: list[asyncpg.Record]) -> list[str]:
    return sorted(row["type"] for row in rows)


def pending_publications(rows: list[asyncpg.Record]) -> list[asyncpg.Record]:
    return [r for r in rows if r["type"] == "interview.published" and r["dispatched_at"] is None]


async def test_a_draft_has_no_events(db: asyncpg.Connection, interview: Json) -> None:
    assert await events_of(db, interview["id"]) == []


async def test_schedule_writes_scheduled_now_and_published_due_at_its_time(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    now = clock.now()
    publish_at = now + timedelta(hours=3)
    await schedule(client, editor, interview, publish_at)

    rows = await events_of(db, interview["id"])
    assert [(r["type"], r["occurred_at"], r["due_at"]) for r in rows] == [
        ("interview.scheduled", now, now),
        ("interview.published", now, publish_at),
    ]
    assert all(r["dispatched_at"] is None for r in rows)


async def test_reschedule_moves_the_pending_publication(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    first = clock.now() + timedelta(hours=3)
    await schedule(client, editor, interview, first)
    clock.advance(minutes=5)
    second = clock.now() + timedelta(days=2)
    await schedule(client, editor, interview, second)

    rows = await events_of(db, interview["id"])
    assert kinds(rows) == [
        "interview.published",
        "interview.rescheduled",
        "interview.scheduled",
    ]
    rescheduled = next(r for r in rows if r["type"] == "interview.rescheduled")
    assert rescheduled["due_at"] == rescheduled["occurred_at"] == clock.now()
    pending = pending_publications(rows)
    assert len(pending) == 1
    assert pending[0]["due_at"] == second


async def test_unschedule_cancels_the_pending_publication(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    await schedule(client, editor, interview, clock.now() + timedelta(hours=3))
    clock.advance(minutes=1)
    await unschedule(client, editor, interview)

    rows = await events_of(db, interview["id"])
    assert kinds(rows) == ["interview.scheduled", "interview.unscheduled"]
    assert pending_publications(rows) == []
    unscheduled = rows[-1]
    assert unscheduled["type"] == "interview.unscheduled"
    assert unscheduled["due_at"] == unscheduled["occurred_at"] == clock.now()


async def test_publish_now_is_due_now(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    await publish(client, editor, interview)
    rows = await events_of(db, interview["id"])
    assert [(r["type"], r["occurred_at"], r["due_at"]) for r in rows] == [
        ("interview.published", clock.now(), clock.now())
    ]


async def test_publishing_a_scheduled_interview_replaces_its_pending_publication(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    await schedule(client, editor, interview, clock.now() + timedelta(days=1))
    clock.advance(minutes=2)
    await publish(client, editor, interview)

    pending = pending_publications(await events_of(db, interview["id"]))
    assert [r["due_at"] for r in pending] == [clock.now()]


async def test_withdraw_and_schedule_again(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    await publish(client, editor, interview)
    await dispatch(pool, clock, settings)  # the worker announces it
    clock.advance(hours=1)
    await withdraw(client, editor, interview)
    withdrawn_at = clock.now()
    await dispatch(pool, clock, settings)
    clock.advance(hours=1)
    publish_at = clock.now() + timedelta(hours=1)
    await schedule(client, editor, interview, publish_at)

    rows = await events_of(db, interview["id"])
    assert [(r["type"], r["occurred_at"], r["due_at"]) for r in rows] == [
        (
            "interview.published",
            withdrawn_at - timedelta(hours=1),
            withdrawn_at - timedelta(hours=1),
        ),
        ("interview.withdrawn", withdrawn_at, withdrawn_at),
        # A withdrawn interview scheduled again is scheduled, not rescheduled.
        ("interview.scheduled", clock.now(), clock.now()),
        ("interview.published", clock.now(), publish_at),
    ]


async def test_a_publication_that_happened_is_not_cancelled_before_it_is_announced(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    """Events are history. While no worker runs (downtime), an interview is published,
    withdrawn and scheduled again: the publication happened and must still be announced,
    before the withdrawal, when the worker catches up."""
    published_at = clock.now()
    await publish(client, editor, interview)
    clock.advance(hours=1)
    await withdraw(client, editor, interview)
    clock.advance(hours=1)
    await schedule(client, editor, interview, clock.now() + timedelta(days=1))

    rows = await events_of(db, interview["id"])
    assert ("interview.published", published_at) in [(r["type"], r["due_at"]) for r in rows]
    await dispatch(pool, clock, settings)
    announced = await db.fetch(
        """
        SELECT type FROM events WHERE interview_id = $1 AND dispatched_at IS NOT NULL
         ORDER BY due_at
        """,
        UUID(interview["id"]),
    )
    assert [r["type"] for r in announced] == [
        "interview.published",
        "interview.withdrawn",
        "interview.scheduled",
    ]


async def test_a_scheduled_publication_that_came_is_announced_after_a_withdrawal_and_reschedule(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    settings: Settings,
    clock: MovableClock,
    interview: Json,
) -> None:
    """The same during downtime for a scheduled publication whose time came: readers saw it
    from its time on, so subscribers must hear that it was published."""
    publish_at = clock.now() + timedelta(minutes=5)
    await schedule(client, editor, interview, publish_at)
    clock.advance(minutes=30)
    await withdraw(client, editor, interview)
    clock.advance(minutes=30)
    await schedule(client, editor, interview, clock.now() + timedelta(days=1))

    rows = await events_of(db, interview["id"])
    due = [(r["type"], r["due_at"]) for r in rows]
    assert ("interview.published", publish_at) in due


async def test_editing_a_published_interview_is_an_update(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    await publish(client, editor, interview)
    clock.advance(minutes=10)
    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}", json={"title": "A new title"}, headers=editor
    )
    assert response.status_code == 200, response.text

    rows = await events_of(db, interview["id"])
    assert [(r["type"], r["due_at"]) for r in rows] == [
        ("interview.published", clock.now() - timedelta(minutes=10)),
        ("interview.updated", clock.now()),
    ]


async def test_editing_a_part_of_a_published_interview_is_an_update(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    await publish(client, editor, interview)
    clock.advance(minutes=1)
    response = await client.put(
        f"/admin/v1/interviews/{interview['id']}/teasers/card",
        json={"text": "A short teaser."},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    assert kinds(await events_of(db, interview["id"])) == [
        "interview.published",
        "interview.updated",
    ]


async def test_editing_a_scheduled_interview_once_its_time_has_come_is_an_update(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    """Readers see it from its time on, before any worker has run: an edit then is public."""
    await schedule(client, editor, interview, clock.now() + timedelta(minutes=5))
    clock.advance(minutes=6)
    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}", json={"title": "Now public"}, headers=editor
    )
    assert response.status_code == 200, response.text
    rows = await events_of(db, interview["id"])
    assert kinds(rows) == ["interview.published", "interview.scheduled", "interview.updated"]


@pytest.mark.parametrize("status", ["draft", "scheduled"])
async def test_editing_what_the_public_does_not_see_writes_no_event(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    clock: MovableClock,
    interview: Json,
    status: str,
) -> None:
    if status == "scheduled":
        await schedule(client, editor, interview, clock.now() + timedelta(days=1))
    before = await events_of(db, interview["id"])
    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}",
        json={"title": "Still private", "tags": ["x"]},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == status
    teaser = await client.put(
        f"/admin/v1/interviews/{interview['id']}/teasers/card",
        json={"text": "A short teaser."},
        headers=editor,
    )
    assert teaser.status_code == 200, teaser.text
    assert await events_of(db, interview["id"]) == before


async def test_an_empty_patch_of_a_published_interview_writes_no_event(
    client: Client, editor: Headers, db: asyncpg.Connection, interview: Json
) -> None:
    await publish(client, editor, interview)
    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}", json={}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert kinds(await events_of(db, interview["id"])) == ["interview.published"]


# --- refused requests write nothing ----------------------------------------------------------


@pytest.mark.parametrize("action", ["withdraw", "unschedule"])
async def test_a_refused_transition_409_writes_no_event(
    client: Client, editor: Headers, db: asyncpg.Connection, interview: Json, action: str
) -> None:
    response = await act(client, editor, interview, action)
    assert response.status_code == 409, response.text
    assert await events_of(db, interview["id"]) == []


async def test_a_refused_publish_of_a_published_interview_keeps_the_events(
    client: Client, editor: Headers, db: asyncpg.Connection, interview: Json
) -> None:
    await publish(client, editor, interview)
    before = await events_of(db, interview["id"])
    for action in ("publish", "unschedule"):
        response = await act(client, editor, interview, action)
        assert response.status_code == 409, response.text
    assert await events_of(db, interview["id"]) == before


async def test_a_stale_if_match_412_writes_no_event(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    stale = {**editor, "If-Match": f'"v{interview["version"]}"'}
    await publish(client, editor, interview)
    before = await events_of(db, interview["id"])

    patched = await client.patch(
        f"/admin/v1/interviews/{interview['id']}", json={"title": "Lost"}, headers=stale
    )
    assert patched.status_code == 412, patched.text
    withdrawn = await act(client, stale, interview, "withdraw")
    assert withdrawn.status_code == 412, withdrawn.text
    teaser = await client.put(
        f"/admin/v1/interviews/{interview['id']}/teasers/card",
        json={"text": "Lost too."},
        headers=stale,
    )
    assert teaser.status_code == 412, teaser.text
    assert await events_of(db, interview["id"]) == before


async def test_a_refused_reschedule_422_keeps_the_pending_publication(
    client: Client, editor: Headers, db: asyncpg.Connection, clock: MovableClock, interview: Json
) -> None:
    publish_at = clock.now() + timedelta(hours=3)
    await schedule(client, editor, interview, publish_at)
    before = await events_of(db, interview["id"])

    past = (clock.now() - timedelta(hours=1)).isoformat()
    response = await act(client, editor, interview, "schedule", publish_at=past, confirm=True)
    assert response.status_code == 422, response.text

    after = await events_of(db, interview["id"])
    assert after == before
    assert [r["due_at"] for r in pending_publications(after)] == [publish_at]


async def test_publishing_without_an_interviewee_422_writes_no_event(
    client: Client, editor: Headers, db: asyncpg.Connection, series: Json, lauri: Json
) -> None:
    response = await client.post(
        "/admin/v1/interviews",
        json={
            "series_id": series["id"],
            "title": "Nobody to ask",
            "participants": [{"person_id": lauri["id"], "role": "interviewer"}],
        },
        headers=editor,
    )
    assert response.status_code == 201, response.text
    lonely = response.json()
    # Scheduling without a body is refused before the participants are looked at.
    for action, status in [("publish", 422), ("schedule", 400)]:
        refused = await act(client, editor, lonely, action)
        assert refused.status_code == status, refused.text
    publish_at_later = await client.post(
        f"/admin/v1/interviews/{lonely['id']}/schedule",
        json={"publish_at": "2027-01-01T10:00:00+01:00", "confirm": True},
        headers=editor,
    )
    assert publish_at_later.status_code == 422, publish_at_later.text
    assert await events_of(db, lonely["id"]) == []
