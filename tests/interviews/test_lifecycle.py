"""Draft -> scheduled -> published -> withdrawn, and who may change what on the way."""

import asyncpg
import pytest

from app.auth import Role
from tests.conftest import MovableClock, bearer
from tests.factories import Client, Headers, Json
from tests.helpers import act, fetch, fields, ok, problem, publish, schedule, unschedule, withdraw

BASE = "/admin/v1/interviews"
NOW = "2026-11-26T09:00:00Z"  # where the clock fixture starts
LATER = "2026-11-26T10:00:00Z"
WHEN = {"schedule": {"publish_at": LATER, "confirm": True}}  # what an action needs besides


@pytest.fixture
async def other_contributor(db: asyncpg.Connection, clock: MovableClock) -> Headers:
    return await bearer(db, Role.contributor, clock)


def url(interview: Json, part: str = "") -> str:
    return f"{BASE}/{interview['id']}{part}"


# --- who may act ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["schedule", "publish", "unschedule", "withdraw"])
async def test_lifecycle_actions_need_an_editor(
    client: Client, contributor: Headers, interview: Json, action: str
) -> None:
    problem(await act(client, contributor, interview, action, **WHEN.get(action, {})), 403)
    assert await fetch(client, contributor, interview) == interview


async def test_admins_may_act_too(client: Client, admin: Headers, interview: Json) -> None:
    assert (await publish(client, admin, interview))["status"] == "published"


# --- schedule ------------------------------------------------------------------------------------


async def test_schedule_sets_status_and_publish_at_in_utc(
    client: Client, editor: Headers, interview: Json
) -> None:
    scheduled = await schedule(client, editor, interview, "2026-11-26T11:00:00+01:00")
    assert scheduled["status"] == "scheduled"
    assert scheduled["publish_at"] == LATER
    assert scheduled["published_at"] is None
    assert scheduled["version"] == 2
    assert await fetch(client, editor, interview) == scheduled


async def test_schedule_with_a_naive_time_is_400(
    client: Client, editor: Headers, interview: Json
) -> None:
    response = await act(
        client, editor, interview, "schedule", publish_at="2026-11-26T11:00:00", confirm=True
    )
    assert fields(problem(response, 400)) == ["publish_at"]
    assert await fetch(client, editor, interview) == interview


async def test_schedule_without_a_time_is_400(
    client: Client, editor: Headers, interview: Json
) -> None:
    response = await client.post(url(interview, "/schedule"), json={}, headers=editor)
    assert fields(problem(response, 400)) == ["publish_at"]
    assert await fetch(client, editor, interview) == interview


@pytest.mark.parametrize("when", [NOW, "2026-11-26T08:59:59Z", "2020-01-01T00:00:00+00:00"])
async def test_schedule_in_the_past_is_422(
    client: Client, editor: Headers, interview: Json, when: str
) -> None:
    response = await act(client, editor, interview, "schedule", publish_at=when, confirm=True)
    assert fields(problem(response, 422)) == ["publish_at"]
    assert await fetch(client, editor, interview) == interview


@pytest.mark.parametrize("action", ["schedule", "publish"])
async def test_no_interviewee_no_publication(
    client: Client, editor: Headers, series: Json, lauri: Json, action: str
) -> None:
    response = await client.post(
        f"{BASE}/",
        json={
            "series_id": series["id"],
            "title": "Monologue",
            "participants": [{"person_id": lauri["id"], "role": "interviewer"}],
        },
        headers=editor,
    )
    lonely = response.json()
    response = await act(client, editor, lonely, action, **WHEN.get(action, {}))
    assert fields(problem(response, 422)) == ["participants"]
    assert await fetch(client, editor, lonely) == lonely


async def test_reschedule_moves_publish_at(
    client: Client, editor: Headers, interview: Json
) -> None:
    await schedule(client, editor, interview, LATER)
    moved = await schedule(client, editor, interview, "2026-12-03T10:00:00Z")
    assert (moved["status"], moved["publish_at"], moved["version"]) == (
        "scheduled", "2026-12-03T10:00:00Z", 3,
    )  # fmt: skip


async def test_unschedule_returns_to_draft(
    client: Client, editor: Headers, interview: Json
) -> None:
    await schedule(client, editor, interview, LATER)
    draft = await unschedule(client, editor, interview)
    assert (draft["status"], draft["publish_at"], draft["published_at"]) == ("draft", None, None)
    assert draft["version"] == 3


# --- illegal transitions -----------------------------------------------------------------------


async def test_illegal_transitions_are_409_with_the_allowed_actions(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    async def refused(action: str, allowed: list[str]) -> None:
        before = await fetch(client, editor, interview)
        body = problem(await act(client, editor, interview, action), 409)
        assert body["allowed"] == allowed, action
        assert fields(body) == ["status"]
        assert await fetch(client, editor, interview) == before

    await refused("withdraw", ["schedule", "publish"])
    await refused("unschedule", ["schedule", "publish"])
    await schedule(client, editor, interview, LATER)
    await refused("withdraw", ["schedule", "unschedule", "publish"])
    clock.advance(hours=1)  # due: now published
    await refused("unschedule", ["withdraw"])
    await refused("publish", ["withdraw"])
    body = problem(
        await act(
            client, editor, interview, "schedule", publish_at="2026-12-01T10:00:00Z", confirm=True
        ),
        409,
    )
    assert body["allowed"] == ["withdraw"]
    await withdraw(client, editor, interview)
    await refused("withdraw", ["schedule", "publish"])
    await refused("unschedule", ["schedule", "publish"])


async def test_actions_on_an_unknown_interview_are_404(client: Client, editor: Headers) -> None:
    ghost = {"id": "00000000-0000-0000-0000-000000000000"}
    problem(await act(client, editor, ghost, "publish"), 404)
    problem(await act(client, editor, ghost, "schedule", publish_at=LATER, confirm=True), 404)


# --- publication ---------------------------------------------------------------------------------


async def test_publish_now_uses_the_clock(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    clock.advance(minutes=30)
    published = await publish(client, editor, interview)
    assert published["status"] == "published"
    assert published["published_at"] == "2026-11-26T09:30:00Z"
    assert published["publish_at"] is None
    assert published["withdrawn_at"] is None


async def test_publish_a_scheduled_interview_early(
    client: Client, editor: Headers, interview: Json
) -> None:
    await schedule(client, editor, interview, "2026-12-01T10:00:00Z")
    published = await publish(client, editor, interview)
    assert (published["status"], published["published_at"], published["publish_at"]) == (
        "published", NOW, None,
    )  # fmt: skip


async def test_scheduled_interview_is_published_once_its_time_comes(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    await schedule(client, editor, interview, LATER)
    clock.advance(minutes=59)
    assert (await fetch(client, editor, interview))["status"] == "scheduled"
    clock.advance(minutes=1)
    due = await fetch(client, editor, interview)
    assert (due["status"], due["published_at"]) == ("published", LATER)

    async def listed(status: str) -> list[str]:
        response = await client.get(f"{BASE}/", params={"status": status}, headers=editor)
        return [item["id"] for item in response.json()["items"]]

    assert await listed("published") == [interview["id"]]
    assert await listed("scheduled") == []


async def test_withdraw_a_due_scheduled_interview(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    await schedule(client, editor, interview, LATER)
    clock.advance(hours=3)
    withdrawn = await withdraw(client, editor, interview)
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["published_at"] == LATER
    assert withdrawn["withdrawn_at"] == "2026-11-26T12:00:00Z"
    assert await fetch(client, editor, interview) == withdrawn


async def test_republish_after_withdrawal_keeps_the_first_published_at(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    await publish(client, editor, interview)
    clock.advance(hours=1)
    await withdraw(client, editor, interview)
    clock.advance(hours=1)
    again = await publish(client, editor, interview)
    assert (again["status"], again["published_at"], again["withdrawn_at"]) == (
        "published", NOW, None,
    )  # fmt: skip


async def test_rescheduled_republication_keeps_the_first_published_at(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    """Republishing by schedule should behave as republishing now does."""
    await publish(client, editor, interview)
    clock.advance(hours=1)
    await withdraw(client, editor, interview)
    await schedule(client, editor, interview, "2026-11-26T12:00:00Z")
    clock.advance(hours=3)
    due = await fetch(client, editor, interview)
    assert (due["status"], due["published_at"]) == ("published", NOW)
    withdrawn = await withdraw(client, editor, interview)
    assert withdrawn["published_at"] == NOW


# --- If-Match ------------------------------------------------------------------------------------


async def test_lifecycle_honours_if_match(client: Client, editor: Headers, interview: Json) -> None:
    ok(await client.patch(url(interview), json={"title": "Edited"}, headers=editor))
    stale = {**editor, "If-Match": '"v1"'}
    response = await client.post(url(interview, "/publish"), headers=stale)
    assert fields(problem(response, 412)) == ["If-Match"]
    response = await client.post(
        url(interview, "/schedule"), json={"publish_at": LATER, "confirm": True}, headers=stale
    )
    problem(response, 412)
    assert (await fetch(client, editor, interview))["status"] == "draft"

    current = {**editor, "If-Match": '"v2"'}
    published = ok(await client.post(url(interview, "/publish"), headers=current))
    assert (published["status"], published["version"]) == ("published", 3)


# --- contributors --------------------------------------------------------------------------------


async def test_contributors_create_edit_and_delete_their_own_drafts(
    client: Client, contributor: Headers, series: Json
) -> None:
    response = await client.post(
        f"{BASE}/", json={"series_id": series["id"], "title": "Mine"}, headers=contributor
    )
    assert response.status_code == 201, response.text
    mine = response.json()
    edited = ok(await client.patch(url(mine), json={"title": "Better"}, headers=contributor))
    assert (edited["title"], edited["version"]) == ("Better", 2)
    teaser = {"text": "Read on"}
    edited = ok(await client.put(url(mine, "/teasers/card"), json=teaser, headers=contributor))
    assert edited["teasers"] == {"card": "Read on"}
    response = await client.delete(url(mine), headers={**contributor, "If-Match": '"v3"'})
    assert response.status_code == 204, response.text


async def test_contributors_cannot_touch_a_colleagues_draft(
    client: Client,
    editor: Headers,
    contributor: Headers,
    other_contributor: Headers,
    interview: Json,
    series: Json,
) -> None:
    """Neither an editor's draft nor another contributor's: PATCH, parts and DELETE are 403."""
    response = await client.post(
        f"{BASE}/", json={"series_id": series["id"], "title": "Theirs"}, headers=other_contributor
    )
    theirs = response.json()
    for draft in (interview, theirs):
        before = await fetch(client, editor, draft)
        problem(await client.patch(url(draft), json={"title": "X"}, headers=contributor), 403)
        teaser = {"text": "Read on"}
        response = await client.put(url(draft, "/teasers/card"), json=teaser, headers=contributor)
        problem(response, 403)
        response = await client.delete(url(draft), headers={**contributor, "If-Match": "*"})
        problem(response, 403)
        assert await fetch(client, editor, draft) == before


@pytest.mark.parametrize("state", ["scheduled", "due", "published", "withdrawn"])
async def test_contributors_cannot_touch_what_is_not_a_draft(
    client: Client,
    editor: Headers,
    contributor: Headers,
    interview: Json,
    clock: MovableClock,
    state: str,
) -> None:
    if state == "published":
        await publish(client, editor, interview)
    else:
        await schedule(client, editor, interview, LATER)
    if state in ("due", "withdrawn"):
        clock.advance(hours=2)
    if state == "withdrawn":
        await withdraw(client, editor, interview)
    before = await fetch(client, editor, interview)

    problem(await client.patch(url(interview), json={"title": "X"}, headers=contributor), 403)
    teaser = {"text": "Read on"}
    response = await client.put(url(interview, "/teasers/card"), json=teaser, headers=contributor)
    problem(response, 403)
    response = await client.delete(url(interview), headers={**contributor, "If-Match": "*"})
    problem(response, 403)
    assert await fetch(client, editor, interview) == before


async def test_editors_delete_published_interviews_once_withdrawn(
    client: Client, editor: Headers, interview: Json
) -> None:
    """Deleting moves to the trash, where nothing public may go: withdraw first."""
    published = await publish(client, editor, interview)
    current = {**editor, "If-Match": f'"v{published["version"]}"'}
    body = problem(await client.delete(url(interview), headers=current), 409)
    assert (fields(body), body["allowed"]) == (["status"], ["withdraw"])
    assert "withdraw" in body["detail"]
    assert await fetch(client, editor, interview) == published

    withdrawn = await withdraw(client, editor, interview)
    current = {**editor, "If-Match": f'"v{withdrawn["version"]}"'}
    response = await client.delete(url(interview), headers=current)
    assert response.status_code == 204, response.text
    problem(await client.get(url(interview), headers=editor), 404)
