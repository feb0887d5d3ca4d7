"""The trash through the Admin API: deleting, listing, restoring and purging, and who may."""

from datetime import datetime, timedelta

import asyncpg
import pytest

from tests.conftest import MovableClock
from tests.content import thursday_interview
from tests.factories import Client, Headers, Json, make_interview, make_person, make_series
from tests.helpers import INTERVIEWS, fetch, fields, problem, publish, schedule, withdraw
from tests.trash import (
    PATHS,
    TRASH,
    delete,
    in_trash,
    purge,
    restore,
    token_id,
    trash,
    trashed,
)

EDITORS_CHOICE = "/admin/v1/editors-choice"


async def test_a_deleted_interview_is_listed_in_the_trash_and_nowhere_else(
    client: Client, editor: Headers, interview: Json, db: asyncpg.Connection, clock: MovableClock
) -> None:
    await trashed(client, editor, "interviews", interview)

    problem(await client.get(f"{INTERVIEWS}/{interview['id']}", headers=editor), 404)
    listed = (await client.get(f"{INTERVIEWS}/", headers=editor)).json()["items"]
    assert listed == []
    response = await client.patch(
        f"{INTERVIEWS}/{interview['id']}", json={"title": "X"}, headers=editor
    )
    problem(response, 404)
    response = await client.put(
        f"{INTERVIEWS}/{interview['id']}/teasers/card", json={"text": "X"}, headers=editor
    )
    problem(response, 404)
    problem(await delete(client, editor, "interviews", interview), 404)

    [item] = await trash(client, editor)
    deleted_at = datetime.fromisoformat(item["deleted_at"])
    assert item == {
        "kind": "interviews",
        "id": interview["id"],
        "title": interview["title"],
        "slug": interview["slug"],
        "deleted_at": item["deleted_at"],
        "deleted_by": await token_id(db, "editor"),
        "purge_at": item["purge_at"],
    }
    assert deleted_at == clock.now()
    assert datetime.fromisoformat(item["purge_at"]) == deleted_at + timedelta(days=30)


async def test_restore_brings_an_interview_back_with_everything_it_had(
    client: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    interview = await thursday_interview(client, editor, teaser="Read on", publish_it=False)
    choice = [{"interview_id": interview["id"]}]
    assert (await client.put(EDITORS_CHOICE, json=choice, headers=editor)).status_code == 200
    before = await fetch(client, editor, interview)
    revisions = f"{INTERVIEWS}/{interview['id']}/revisions"
    revisions_before = (await client.get(revisions, headers=editor)).json()
    assert before["participants"] and before["pull_quotes"] and before["teasers"]

    await trashed(client, editor, "interviews", interview)
    assert (await client.get(EDITORS_CHOICE, headers=editor)).json() == []
    response = await restore(client, editor, "interviews", interview)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "kind": "interviews",
        "id": interview["id"],
        "slug": interview["slug"],
        "slug_changed_from": None,
    }
    assert await fetch(client, editor, interview) == before
    assert (await client.get(revisions, headers=editor)).json() == revisions_before
    assert (await client.get(EDITORS_CHOICE, headers=editor)).json() == [
        {"interview_id": interview["id"], "starts_at": None, "ends_at": None}
    ]
    assert await trash(client, editor) == []


@pytest.mark.parametrize("kind", ["interviews", "series", "people"])
async def test_a_trashed_slug_is_free_and_a_restore_then_takes_a_new_one(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json, kind: str
) -> None:

    async def made(slug: str) -> Json:
        if kind == "interviews":
            return await make_interview(client, editor, series, lauri, murad, slug=slug)
        if kind == "series":
            return await make_series(client, editor, slug=slug)
        return await make_person(client, editor, "Anna Kask", slug=slug)

    old = await made("the-slug")
    await trashed(client, editor, kind, old)
    new = await made("the-slug")  # the trash does not hold the slug
    assert new["slug"] == "the-slug"

    response = await restore(client, editor, kind, old)
    assert response.status_code == 200, response.text
    restored = response.json()
    assert restored == {
        "kind": kind,
        "id": old["id"],
        "slug": "the-slug-2",
        "slug_changed_from": "the-slug",
    }
    got = await client.get(f"{PATHS[kind]}/{old['id']}", headers=editor)
    assert got.json()["slug"] == "the-slug-2"


async def test_purge_deletes_an_interview_and_its_parts_for_good(
    client: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    interview = await thursday_interview(client, editor, teaser="Read on", publish_it=False)
    await trashed(client, editor, "interviews", interview)
    response = await purge(client, editor, "interviews", interview)
    assert response.status_code == 204, response.text

    assert await trash(client, editor) == []
    for table in ("interviews", "interview_participants", "pull_quotes", "teasers"):
        assert await db.fetchval(f"SELECT count(*) FROM {table}") == 0, table
    problem(await restore(client, editor, "interviews", interview), 404)
    problem(await purge(client, editor, "interviews", interview), 404)


async def test_only_what_is_in_the_trash_can_be_restored_or_purged(
    client: Client, editor: Headers, interview: Json
) -> None:
    problem(await restore(client, editor, "interviews", interview), 404)
    problem(await purge(client, editor, "interviews", interview), 404)
    problem(await restore(client, editor, "series", interview), 404)  # not a series
    response = await client.post(f"{TRASH}/tokens/{interview['id']}/restore", headers=editor)
    problem(response, 400)
    assert (await fetch(client, editor, interview))["id"] == interview["id"]


async def test_the_trash_is_paged_newest_first_and_filtered_by_kind(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    people = [await make_person(client, editor, f"Person {n}") for n in range(3)]
    series = await make_series(client, editor)
    for person in people:
        await trashed(client, editor, "people", person)
        clock.advance(minutes=1)
    await trashed(client, editor, "series", series)

    first = (await client.get(TRASH, params={"limit": 2}, headers=editor)).json()
    assert [i["id"] for i in first["items"]] == [series["id"], people[2]["id"]]
    params = {"limit": 2, "cursor": first["next_cursor"]}
    second = (await client.get(TRASH, params=params, headers=editor)).json()
    assert [i["id"] for i in second["items"]] == [people[1]["id"], people[0]["id"]]
    assert second["next_cursor"] is None
    only_people = await trash(client, editor, kind="people")
    assert [i["title"] for i in only_people] == ["Person 2", "Person 1", "Person 0"]
    problem(await client.get(TRASH, params={"kind": "tokens"}, headers=editor), 400)


# --- what may be deleted ---------------------------------------------------------------------


async def test_a_public_interview_must_be_withdrawn_before_it_is_deleted(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    """Public as app/publication.py says: published, or scheduled with its time come."""
    await schedule(client, editor, interview, clock.now() + timedelta(hours=1))
    clock.advance(hours=2)
    body = problem(await delete(client, editor, "interviews", interview), 409)
    assert (fields(body), body["allowed"]) == (["status"], ["withdraw"])
    assert "withdraw" in body["detail"]
    assert await trash(client, editor) == []

    await withdraw(client, editor, interview)
    await trashed(client, editor, "interviews", interview)
    response = await restore(client, editor, "interviews", interview)
    assert response.status_code == 200, response.text
    assert (await fetch(client, editor, interview))["status"] == "withdrawn"


async def test_a_scheduled_interview_goes_back_to_draft_as_it_is_deleted(
    client: Client, editor: Headers, interview: Json, clock: MovableClock, db: asyncpg.Connection
) -> None:
    """Else its publication would come due in the trash, and a restore would publish it."""
    await schedule(client, editor, interview, clock.now() + timedelta(hours=1))
    await trashed(client, editor, "interviews", interview)
    pending = await db.fetch(
        "SELECT type FROM events WHERE interview_id = $1 AND dispatched_at IS NULL ORDER BY due_at",
        interview["id"],
    )
    assert [row["type"] for row in pending] == ["interview.scheduled", "interview.unscheduled"]

    clock.advance(hours=2)
    assert (await restore(client, editor, "interviews", interview)).status_code == 200
    restored = await fetch(client, editor, interview)
    assert (restored["status"], restored["publish_at"]) == ("draft", None)
    revisions = f"{INTERVIEWS}/{interview['id']}/revisions"
    latest = (await client.get(revisions, headers=editor)).json()["items"][0]
    assert (latest["action"], latest["summary"]) == ("status", "unscheduled")


async def test_a_series_or_person_in_use_outside_the_trash_cannot_be_deleted(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json, interview: Json
) -> None:
    """Whether the interview is public or a draft: a draft left outside the trash would name a
    series or person that is gone."""
    await publish(client, editor, interview)
    for kind, item in (("series", series), ("people", murad)):
        problem(await delete(client, editor, kind, item), 409)
    await withdraw(client, editor, interview)
    for kind, item in (("series", series), ("people", murad)):
        problem(await delete(client, editor, kind, item), 409)

    await trashed(client, editor, "interviews", interview)
    await trashed(client, editor, "series", series)
    await trashed(client, editor, "people", murad)
    assert await in_trash(client, editor) == {
        ("interviews", interview["id"]),
        ("series", series["id"]),
        ("people", murad["id"]),
    }


async def test_an_interview_comes_back_only_to_its_series_and_people(
    client: Client, editor: Headers, series: Json, murad: Json, interview: Json
) -> None:
    await trashed(client, editor, "interviews", interview)
    await trashed(client, editor, "series", series)
    await trashed(client, editor, "people", murad)

    body = problem(await restore(client, editor, "interviews", interview), 409)
    assert fields(body) == ["series_id"]
    assert series["slug"] in body["detail"]
    assert (await restore(client, editor, "series", series)).status_code == 200
    body = problem(await restore(client, editor, "interviews", interview), 409)
    assert fields(body) == ["participants"]
    assert murad["slug"] in body["detail"]
    assert (await restore(client, editor, "people", murad)).status_code == 200
    assert (await restore(client, editor, "interviews", interview)).status_code == 200
    assert (await fetch(client, editor, interview))["participants"][1]["name"] == murad["name"]


async def test_a_series_or_person_named_by_a_trashed_interview_is_purged_after_it(
    client: Client, editor: Headers, series: Json, murad: Json, interview: Json
) -> None:
    await trashed(client, editor, "interviews", interview)
    await trashed(client, editor, "series", series)
    await trashed(client, editor, "people", murad)
    for kind, item in (("series", series), ("people", murad)):
        body = problem(await purge(client, editor, kind, item), 409)
        assert "purge them first" in body["detail"]
    assert (await purge(client, editor, "interviews", interview)).status_code == 204
    assert (await purge(client, editor, "series", series)).status_code == 204
    assert (await purge(client, editor, "people", murad)).status_code == 204
    assert await trash(client, editor) == []


async def test_nothing_outside_the_trash_may_name_what_is_in_it(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json, interview: Json
) -> None:
    """A series, person or interview in the trash is as good as none: 422, as for an unknown
    id."""
    other_series = await make_series(client, editor, title="Other")
    anna = await make_person(client, editor, "Anna Kask")
    await trashed(client, editor, "series", other_series)
    await trashed(client, editor, "people", anna)

    response = await client.post(
        f"{INTERVIEWS}/",
        json={"series_id": other_series["id"], "title": "New"},
        headers=editor,
    )
    assert fields(problem(response, 422)) == ["series_id"]
    response = await client.patch(
        f"{INTERVIEWS}/{interview['id']}", json={"series_id": other_series["id"]}, headers=editor
    )
    assert fields(problem(response, 422)) == ["series_id"]
    cast = [
        {"person_id": lauri["id"], "role": "interviewer"},
        {"person_id": murad["id"], "role": "interviewee"},
        {"person_id": anna["id"], "role": "interviewee"},
    ]
    response = await client.put(
        f"{INTERVIEWS}/{interview['id']}/participants", json=cast, headers=editor
    )
    assert fields(problem(response, 422)) == ["participants"]

    await trashed(client, editor, "interviews", interview)
    choice = [{"interview_id": interview["id"]}]
    response = await client.put(EDITORS_CHOICE, json=choice, headers=editor)
    assert fields(problem(response, 422)) == ["interview_id"]


# --- who may --------------------------------------------------------------------------------


async def test_contributors_restore_and_purge_their_own_drafts_only(
    client: Client, editor: Headers, contributor: Headers, series: Json, interview: Json
) -> None:
    response = await client.post(
        f"{INTERVIEWS}/", json={"series_id": series["id"], "title": "Mine"}, headers=contributor
    )
    mine = response.json()
    await trashed(client, contributor, "interviews", mine)
    await trashed(client, editor, "interviews", interview)  # an editor's draft
    lone_series = await make_series(client, editor, title="Lone")
    await trashed(client, editor, "series", lone_series)

    assert len(await trash(client, contributor)) == 3  # listing is open to every role
    problem(await restore(client, contributor, "interviews", interview), 403)
    problem(await purge(client, contributor, "interviews", interview), 403)
    problem(await restore(client, contributor, "series", lone_series), 403)
    problem(await purge(client, contributor, "series", lone_series), 403)
    problem(await delete(client, contributor, "series", series), 403)

    assert (await restore(client, contributor, "interviews", mine)).status_code == 200
    await trashed(client, contributor, "interviews", mine)
    assert (await purge(client, contributor, "interviews", mine)).status_code == 204
    assert await in_trash(client, editor) == {
        ("interviews", interview["id"]),
        ("series", lone_series["id"]),
    }


async def test_a_trashed_interview_has_no_preview_links(
    client: Client, editor: Headers, interview: Json, db: asyncpg.Connection
) -> None:
    """Its links stop as it goes, and none is issued while it is in the trash."""
    preview = f"{INTERVIEWS}/{interview['id']}/preview"
    link = (await client.post(preview, headers=editor)).json()
    await trashed(client, editor, "interviews", interview)
    problem(await client.get(f"/content/v1/preview/{link['token']}"), 404)
    problem(await client.post(preview, headers=editor), 404)
    assert await db.fetchval("SELECT count(*) FROM preview_tokens") == 0
