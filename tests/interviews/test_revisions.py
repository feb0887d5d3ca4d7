"""Revisions: every change to an interview is kept whole, and can be listed, read, compared and
restored."""

import asyncio
import json
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from app.auth import Role, issue_token
from app.interviews.diff import BlockChanged, diff_body
from app.interviews.schemas import Answer, Block
from tests.conftest import MovableClock
from tests.factories import Client, Headers, Json, make_person
from tests.helpers import fetch, fields, ok, problem, publish

BASE = "/admin/v1/interviews"


def url(interview: Json, part: str = "") -> str:
    return f"{BASE}/{interview['id']}{part}"


def if_match(headers: Headers, interview: Json) -> Headers:
    return {**headers, "If-Match": f'"v{interview["version"]}"'}


async def revisions(client: Client, headers: Headers, interview: Json) -> list[Json]:
    response = await client.get(url(interview, "/revisions"), headers=headers)
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["items"]
    return items


async def revision(client: Client, headers: Headers, interview: Json, number: int) -> Json:
    response = await client.get(url(interview, f"/revisions/{number}"), headers=headers)
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


async def patch(client: Client, headers: Headers, interview: Json, **body: Any) -> Json:
    return ok(await client.patch(url(interview), json=body, headers=headers))


async def restore(client: Client, headers: Headers, interview: Json, number: int) -> httpx.Response:
    """Restore revision `number` over the version `interview` has."""
    path = url(interview, f"/revisions/{number}/restore")
    return await client.post(path, headers=if_match(headers, interview))


def summaries(items: list[Json]) -> list[tuple[int, str, str]]:
    return [(item["number"], item["action"], item["summary"]) for item in items]


@pytest.fixture
async def colleague(db: asyncpg.Connection, clock: MovableClock) -> Headers:
    """A second editor."""
    _, secret = await issue_token(db, "second editor", Role.editor, clock.now())
    return {"Authorization": f"Bearer {secret}"}


# --- recording -----------------------------------------------------------------------------


async def test_the_create_is_revision_1_holding_the_interview_as_created(
    client: Client, editor: Headers, interview: Json
) -> None:
    [first] = await revisions(client, editor, interview)
    assert first == {
        **first,
        "number": 1,
        "action": "created",
        "summary": "created",
        "token_name": "test editor",
        "created_at": interview["created_at"],
        "updated_at": interview["created_at"],
    }
    assert "interview" not in first  # the list leaves the states out
    assert (await revision(client, editor, interview, 1))["interview"] == interview


async def test_a_revision_keeps_structured_blocks_not_rendered_html(
    client: Client, editor: Headers, interview: Json, db: asyncpg.Connection
) -> None:
    state = await db.fetchval(
        "SELECT state::text FROM interview_revisions WHERE interview_id = $1", interview["id"]
    )
    kept = json.loads(state)
    assert kept == interview  # the admin Interview, field for field
    assert [block["type"] for block in kept["body"]] == ["question", "answer"]
    assert "<p" not in state and "html" not in kept


async def test_saves_of_a_draft_by_one_editor_fold_within_the_window(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    await patch(client, editor, interview, title="First try")
    clock.advance(seconds=60)
    await patch(client, editor, interview, standfirst="Why he came back")
    clock.advance(seconds=59)  # 119 s after the revision's first save
    latest = await patch(client, editor, interview, title="Second try")
    items = await revisions(client, editor, interview)
    assert summaries(items) == [(2, "edited", "title, standfirst"), (1, "created", "created")]
    assert items[0]["updated_at"] == latest["updated_at"]
    assert (await revision(client, editor, interview, 2))["interview"] == latest

    clock.advance(seconds=1)  # the window is measured from the revision's first save
    await patch(client, editor, interview, title="Third try")
    items = await revisions(client, editor, interview)
    assert summaries(items)[0] == (3, "edited", "title")


async def test_saves_by_another_editor_do_not_fold(
    client: Client, editor: Headers, colleague: Headers, interview: Json
) -> None:
    await patch(client, editor, interview, title="Mine")
    await patch(client, colleague, interview, title="Theirs")
    items = await revisions(client, editor, interview)
    assert [(item["number"], item["token_name"]) for item in items] == [
        (3, "second editor"),
        (2, "test editor"),
        (1, "test editor"),
    ]


async def test_a_status_change_and_every_edit_of_a_public_interview_are_revisions_of_their_own(
    client: Client, editor: Headers, interview: Json
) -> None:
    await patch(client, editor, interview, title="Before publication")
    await publish(client, editor, interview)
    await patch(client, editor, interview, title="After publication")
    await patch(client, editor, interview, tags=["Georgia"])
    items = await revisions(client, editor, interview)
    assert summaries(items) == [
        (5, "edited", "tags"),
        (4, "edited", "title"),
        (3, "status", "published"),
        (2, "edited", "title"),
        (1, "created", "created"),
    ]
    assert (await revision(client, editor, interview, 3))["interview"]["status"] == "published"


async def test_an_edit_after_a_status_change_does_not_fold_into_it(
    client: Client, editor: Headers, interview: Json
) -> None:
    scheduled = ok(
        await client.post(
            url(interview, "/schedule"),
            json={"publish_at": "2026-12-03T10:00:00Z", "confirm": True},
            headers=editor,
        )
    )
    unscheduled = ok(await client.post(url(interview, "/unschedule"), headers=editor))
    await patch(client, editor, interview, title="Back to work")
    items = await revisions(client, editor, interview)
    assert summaries(items) == [
        (4, "edited", "title"),
        (3, "status", "unscheduled"),
        (2, "status", "scheduled"),
        (1, "created", "created"),
    ]
    assert (await revision(client, editor, interview, 2))["interview"] == scheduled
    assert (await revision(client, editor, interview, 3))["interview"] == unscheduled


async def test_edits_of_parts_are_revisions_named_for_the_part(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    await publish(client, editor, interview)  # so that nothing folds
    teaser = {"text": "He came back."}
    await client.put(url(interview, "/teasers/card"), json=teaser, headers=editor)
    quote = {"text": "largely positive", "speaker_id": murad["id"], "block_id": "visit"}
    await client.post(url(interview, "/pull-quotes"), json=quote, headers=editor)
    items = await revisions(client, editor, interview)
    assert summaries(items)[:2] == [(4, "edited", "pull_quotes"), (3, "edited", "teasers")]


async def test_two_editors_saving_the_same_version_at_once_make_one_revision_and_one_412(
    client: Client, editor: Headers, colleague: Headers, interview: Json
) -> None:
    answers = await asyncio.gather(
        client.patch(url(interview), json={"title": "Mine"}, headers=if_match(editor, interview)),
        client.patch(
            url(interview), json={"title": "Theirs"}, headers=if_match(colleague, interview)
        ),
    )
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    [won] = [answer.json() for answer in answers if answer.status_code == 200]
    items = await revisions(client, editor, interview)
    assert [item["number"] for item in items] == [2, 1]
    assert (await revision(client, editor, interview, 2))["interview"] == won

    # The one refused fetches what won and saves over it: a second revision, not folded.
    loser = colleague if won["title"] == "Mine" else editor
    current = await fetch(client, loser, interview)
    ok(await client.patch(url(interview), json={"title": "Both"}, headers=if_match(loser, current)))
    items = await revisions(client, editor, interview)
    assert [item["number"] for item in items] == [3, 2, 1]
    assert items[0]["token_name"] != items[1]["token_name"]


async def test_an_interview_older_than_revisions_keeps_how_it_stood_at_its_first_change(
    client: Client, editor: Headers, interview: Json, db: asyncpg.Connection
) -> None:
    await db.execute("DELETE FROM interview_revisions WHERE interview_id = $1", interview["id"])
    await patch(client, editor, interview, title="Renamed")
    items = await revisions(client, editor, interview)
    assert summaries(items) == [
        (2, "edited", "title"),
        (1, "edited", "as it stood before revisions were kept"),
    ]
    assert items[1]["token_id"] is None
    assert (await revision(client, editor, interview, 1))["interview"] == interview


# --- reading -------------------------------------------------------------------------------


async def test_revisions_are_paged_newest_first(
    client: Client, editor: Headers, interview: Json
) -> None:
    await publish(client, editor, interview)
    for title in ("One", "Two", "Three"):
        await patch(client, editor, interview, title=title)
    seen: list[int] = []
    path = url(interview, "/revisions?limit=2")
    while path:
        page = (await client.get(path, headers=editor)).json()
        seen += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        path = url(interview, f"/revisions?limit=2&cursor={cursor}") if cursor else ""
    assert seen == [5, 4, 3, 2, 1]


async def test_unknown_revisions_and_interviews_are_404(
    client: Client, editor: Headers, interview: Json
) -> None:
    for path in (
        "/revisions/2",
        "/revisions/2/diff",
        "/revisions/1/diff",
        "/revisions/1/diff?against=7",
    ):
        problem(await client.get(url(interview, path), headers=editor), 404)
    ghost = {"id": "00000000-0000-0000-0000-000000000000"}
    problem(await client.get(url(ghost, "/revisions"), headers=editor), 404)
    problem(await client.get(url(interview, "/revisions?cursor=nonsense"), headers=editor), 400)


async def test_contributors_read_the_revisions_of_their_own_drafts_only(
    client: Client, editor: Headers, contributor: Headers, interview: Json, series: Json
) -> None:
    problem(await client.get(url(interview, "/revisions"), headers=contributor), 403)
    problem(await client.get(url(interview, "/revisions/1"), headers=contributor), 403)
    own = ok(
        await client.post(
            BASE, json={"series_id": series["id"], "title": "My draft"}, headers=contributor
        ),
        201,
    )
    assert [item["number"] for item in await revisions(client, contributor, own)] == [1]


# --- comparing -----------------------------------------------------------------------------


async def test_a_diff_names_the_fields_and_the_blocks_that_changed(
    client: Client, editor: Headers, interview: Json, lauri: Json, murad: Json
) -> None:
    question, answer = interview["body"]
    body = [
        {**answer, "text": "My experience was <em>largely positive</em>, and surprising."},
        {"type": "paragraph", "id": "coda", "text": "He left the next day."},
    ]
    await publish(client, editor, interview)
    await patch(client, editor, interview, title="A visit", body=body)

    response = await client.get(url(interview, "/revisions/3/diff"), headers=editor)
    assert response.status_code == 200, response.text
    diff = response.json()
    assert (diff["number"], diff["against"]) == (3, 2)
    assert diff["changed"] == ["title", "body"]
    assert diff["before"] == {"title": interview["title"]}
    assert diff["after"] == {"title": "A visit"}
    changed, added, removed = diff["body"]
    assert added == {"change": "added", "index": 1, "block": {**body[1]}}
    assert removed == {"change": "removed", "index_before": 0, "block": question}
    assert (changed["change"], changed["id"], changed["index"], changed["index_before"]) == (
        "changed",
        "visit",
        0,
        1,
    )
    pieces = changed["text"]
    assert [p for p in pieces if p["op"] != "equal"] == [
        {"op": "delete", "text": "positive</em>."},
        {"op": "insert", "text": "positive</em>, and surprising."},
    ]
    assert "".join(p["text"] for p in pieces if p["op"] != "insert") == answer["text"]
    assert "".join(p["text"] for p in pieces if p["op"] != "delete") == body[0]["text"]

    # Against any revision, and the other way round.
    response = await client.get(url(interview, "/revisions/1/diff?against=3"), headers=editor)
    back = response.json()
    assert back["changed"] == ["title", "body", "status", "published_at"]
    assert back["before"]["title"] == "A visit" and back["after"]["status"] == "draft"


async def test_a_diff_says_which_blocks_moved(
    client: Client, editor: Headers, interview: Json
) -> None:
    question, answer = interview["body"]
    await publish(client, editor, interview)
    await patch(client, editor, interview, body=[answer, question])
    diff = (await client.get(url(interview, "/revisions/3/diff"), headers=editor)).json()
    assert diff["changed"] == ["body"]
    assert len(diff["body"]) == 1
    [moved] = diff["body"]
    assert moved["change"] == "moved"


# --- restoring -----------------------------------------------------------------------------


async def test_restoring_needs_if_match(client: Client, editor: Headers, interview: Json) -> None:
    await patch(client, editor, interview, title="Renamed")
    response = await client.post(url(interview, "/revisions/1/restore"), headers=editor)
    body = problem(response, 428)
    assert fields(body) == ["If-Match"] and '"v2"' in body["detail"]
    problem(await restore(client, editor, interview, 1), 412)  # v1 is no longer current
    assert (await fetch(client, editor, interview))["title"] == "Renamed"


async def test_restoring_brings_back_the_content_but_not_the_status_or_its_times(
    client: Client, editor: Headers, interview: Json, murad: Json, clock: MovableClock
) -> None:
    await client.put(url(interview, "/teasers/card"), json={"text": "Old card"}, headers=editor)
    published = await publish(client, editor, interview)  # revision 3
    clock.advance(hours=1)
    await client.put(url(interview, "/teasers/card"), json={"text": "New card"}, headers=editor)
    await client.put(url(interview, "/teasers/social"), json={"text": "Hi"}, headers=editor)
    current = await patch(client, editor, interview, title="Renamed", tags=["Georgia"])

    restored = ok(await restore(client, editor, current, 3))
    assert restored["title"] == interview["title"] and restored["tags"] == []
    assert restored["teasers"] == {"card": "Old card"}
    for kept in ("status", "publish_at", "published_at", "withdrawn_at"):
        assert restored[kept] == published[kept]
    assert restored["version"] == current["version"] + 1
    items = await revisions(client, editor, interview)
    assert summaries(items)[0] == (7, "restored", "restored revision 3")
    assert (await revision(client, editor, interview, 7))["interview"] == restored


async def test_restoring_a_body_without_a_quoted_block_is_409(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    later = {"type": "answer", "id": "later", "speaker_id": murad["id"], "text": "I will return."}
    await patch(client, editor, interview, body=[*interview["body"], later])
    quote = {"text": "I will return.", "speaker_id": murad["id"], "block_id": "later"}
    quoted = ok(await client.post(url(interview, "/pull-quotes"), json=quote, headers=editor), 201)

    body = problem(await restore(client, editor, quoted, 1), 409)
    assert fields(body) == ["body"] and "revision 1 cannot be restored" in body["detail"]
    assert await fetch(client, editor, interview) == quoted


async def test_restoring_a_participant_since_deleted_is_409(
    client: Client, editor: Headers, interview: Json, lauri: Json, murad: Json
) -> None:
    anna = await make_person(client, editor, "Anna Petrosyan")
    trio = [
        {"person_id": lauri["id"], "role": "interviewer"},
        {"person_id": murad["id"], "role": "interviewee"},
        {"person_id": anna["id"], "role": "interviewee"},
    ]
    await client.put(url(interview, "/participants"), json=trio, headers=editor)  # revision 2
    await publish(client, editor, interview)  # revision 3, so that what follows does not fold
    current = ok(await client.put(url(interview, "/participants"), json=trio[:2], headers=editor))
    deleted = await client.delete(f"/admin/v1/people/{anna['id']}", headers=editor)
    assert deleted.status_code == 204, deleted.text

    body = problem(await restore(client, editor, current, 2), 409)
    assert fields(body) == ["participants"]
    assert await fetch(client, editor, interview) == current


async def test_restoring_a_slug_another_interview_has_taken_is_409(
    client: Client, editor: Headers, interview: Json, series: Json
) -> None:
    renamed = await patch(client, editor, interview, slug="a-new-slug")
    taken = {"series_id": series["id"], "title": "Another", "slug": interview["slug"]}
    ok(await client.post(BASE, json=taken, headers=editor), 201)
    body = problem(await restore(client, editor, renamed, 1), 409)
    assert fields(body) == ["slug"]


async def test_contributors_restore_their_own_drafts_only(
    client: Client, editor: Headers, contributor: Headers, interview: Json
) -> None:
    renamed = await patch(client, editor, interview, title="Renamed")
    problem(await restore(client, contributor, renamed, 1), 403)


def test_a_diff_of_long_texts_is_bounded_and_still_joins_up() -> None:
    """Matching word by word grows with the product of the texts' lengths: two 20,000-character
    answers that differ throughout took 3 s of the event loop. Past the budget a changed block
    comes whole, and the pieces still join up to either text."""
    speaker = uuid4()
    text = " ".join(f"w{n % 50}" for n in range(3300))[:20_000]
    older: list[Block] = [Answer(id=f"a{n}", speaker_id=speaker, text=text) for n in range(3)]
    newer: list[Block] = [
        Answer(id=block.id, speaker_id=speaker, text=block.text.replace("w1", "v1"))
        for block in older
    ]
    changes = diff_body(older, newer)
    assert [type(change) for change in changes] == [BlockChanged] * 3
    for change in changes:
        assert isinstance(change, BlockChanged)
        pieces = change.text
        assert "".join(p.text for p in pieces if p.op != "insert") == change.before.text
        assert "".join(p.text for p in pieces if p.op != "delete") == change.after.text
    last = changes[-1]
    assert isinstance(last, BlockChanged)
    assert [p.op for p in last.text] == ["equal", "delete", "insert", "equal"], "given whole"


def test_a_small_edit_of_a_long_text_is_still_a_word_diff() -> None:
    speaker = uuid4()
    text = " ".join(f"w{n % 50}" for n in range(3300))[:20_000]
    older: list[Block] = [Answer(id="a1", speaker_id=speaker, text=text)]
    newer: list[Block] = [
        Answer(id="a1", speaker_id=speaker, text=text.replace("w7 w8", "w7 new w8", 1))
    ]
    (change,) = diff_body(older, newer)
    assert isinstance(change, BlockChanged)
    assert [(p.op, p.text) for p in change.text if p.op != "equal"] == [("insert", "new ")]
