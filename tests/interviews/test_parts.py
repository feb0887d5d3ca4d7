"""Parts of an interview: participants, pull quotes and teasers."""

from typing import Any

import pytest

from tests.factories import Client, Headers, Json, make_person
from tests.helpers import fetch, fields, ok, problem

BASE = "/admin/v1/interviews"
GHOST = "00000000-0000-0000-0000-000000000000"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, five code points


@pytest.fixture
async def anna(client: Client, editor: Headers) -> Json:
    return await make_person(client, editor, "Anna Petrosyan")


def url(interview: Json, part: str = "") -> str:
    return f"{BASE}/{interview['id']}{part}"


def cast(*people: tuple[Json, str]) -> list[Json]:
    return [{"person_id": person["id"], "role": role} for person, role in people]


def quote(speaker: Json, text: str, block_id: str | None = "visit", **more: Any) -> Json:
    return {"text": text, "speaker_id": speaker["id"], "block_id": block_id, **more}


async def add_quote(client: Client, editor: Headers, interview: Json, body: Json) -> Json:
    return ok(await client.post(url(interview, "/pull-quotes"), json=body, headers=editor), 201)


# --- participants ------------------------------------------------------------------------------


async def test_put_participants_replaces_the_ordered_list(
    client: Client, editor: Headers, interview: Json, lauri: Json, murad: Json, anna: Json
) -> None:
    people = cast((anna, "interviewee"), (murad, "interviewee"), (lauri, "interviewer"))
    updated = ok(await client.put(url(interview, "/participants"), json=people, headers=editor))
    assert [(p["name"], p["role"]) for p in updated["participants"]] == [
        ("Anna Petrosyan", "interviewee"),
        ("Murad Muradov", "interviewee"),
        ("Lauri Nikulainen", "interviewer"),
    ]
    assert updated["version"] == 2

    people = cast((lauri, "interviewer"), (murad, "interviewee"))
    updated = ok(await client.put(url(interview, "/participants"), json=people, headers=editor))
    assert [p["person_id"] for p in updated["participants"]] == [lauri["id"], murad["id"]]
    assert updated["version"] == 3
    assert await fetch(client, editor, interview) == updated


async def test_removing_a_participant_who_speaks_is_409(
    client: Client, editor: Headers, interview: Json, lauri: Json
) -> None:
    people = cast((lauri, "interviewer"))
    response = await client.put(url(interview, "/participants"), json=people, headers=editor)
    assert fields(problem(response, 409)) == ["participants"]
    assert await fetch(client, editor, interview) == interview


async def test_removing_a_quoted_participant_is_409(
    client: Client, editor: Headers, interview: Json, lauri: Json, murad: Json, anna: Json
) -> None:
    """Anna says nothing in the body, but a pull quote is hers: the composite FK stops it."""
    trio = cast((lauri, "interviewer"), (murad, "interviewee"), (anna, "interviewee"))
    ok(await client.put(url(interview, "/participants"), json=trio, headers=editor))
    before = await add_quote(client, editor, interview, quote(anna, "Said off the record", None))

    pair = cast((lauri, "interviewer"), (murad, "interviewee"))
    response = await client.put(url(interview, "/participants"), json=pair, headers=editor)
    assert fields(problem(response, 409)) == ["speaker_id"]
    assert await fetch(client, editor, interview) == before


async def test_participants_with_an_unknown_person_is_422(
    client: Client, editor: Headers, interview: Json, lauri: Json, murad: Json
) -> None:
    ghost = {"id": GHOST}
    people = cast((lauri, "interviewer"), (murad, "interviewee"), (ghost, "interviewee"))
    response = await client.put(url(interview, "/participants"), json=people, headers=editor)
    assert fields(problem(response, 422)) == ["participants"]
    assert await fetch(client, editor, interview) == interview


async def test_participants_with_a_person_twice_is_422(
    client: Client, editor: Headers, interview: Json, lauri: Json, murad: Json
) -> None:
    people = cast((lauri, "interviewer"), (murad, "interviewee"), (lauri, "interviewee"))
    response = await client.put(url(interview, "/participants"), json=people, headers=editor)
    assert fields(problem(response, 422)) == ["participants[2].person_id"]
    assert await fetch(client, editor, interview) == interview


async def test_a_scheduled_interview_keeps_an_interviewee(
    client: Client, editor: Headers, interview: Json, lauri: Json, murad: Json
) -> None:
    response = await client.post(
        url(interview, "/schedule"),
        json={"publish_at": "2026-12-01T10:00:00Z", "confirm": True},
        headers=editor,
    )
    scheduled = ok(response)
    people = cast((lauri, "interviewer"), (murad, "interviewer"))
    response = await client.put(url(interview, "/participants"), json=people, headers=editor)
    assert fields(problem(response, 422)) == ["participants"]
    assert await fetch(client, editor, interview) == scheduled


# --- pull quotes -------------------------------------------------------------------------------


async def test_pull_quote_from_its_answer_is_201(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    updated = await add_quote(client, editor, interview, quote(murad, "largely positive"))
    [stored] = updated["pull_quotes"]
    assert stored["text"] == "largely positive"
    assert (stored["speaker_id"], stored["block_id"]) == (murad["id"], "visit")
    assert (stored["position"], stored["featured"]) == (0, False)
    assert updated["version"] == 2
    second = await add_quote(client, editor, interview, quote(murad, "My experience"))
    assert [q["position"] for q in second["pull_quotes"]] == [0, 1]


@pytest.mark.parametrize(("text", "block_id"), [("   ", "visit"), (" \u200b\u202e ", None)])
async def test_pull_quote_with_no_visible_character_is_422(
    client: Client, editor: Headers, interview: Json, murad: Json, text: str, block_id: str | None
) -> None:
    response = await client.post(
        url(interview, "/pull-quotes"), json=quote(murad, text, block_id), headers=editor
    )
    assert fields(problem(response, 422)) == ["text"]
    assert await fetch(client, editor, interview) == interview


async def test_pull_quote_not_in_its_answer_is_422(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    response = await client.post(
        url(interview, "/pull-quotes"), json=quote(murad, "entirely negative"), headers=editor
    )
    assert fields(problem(response, 422)) == ["text"]
    assert await fetch(client, editor, interview) == interview


async def test_pull_quote_from_a_question_or_unknown_block_is_422(
    client: Client, editor: Headers, interview: Json, lauri: Json
) -> None:
    question_id = interview["body"][0]["id"]
    for block_id in (question_id, "nowhere"):
        response = await client.post(
            url(interview, "/pull-quotes"),
            json=quote(lauri, "How was your visit?", block_id),
            headers=editor,
        )
        assert fields(problem(response, 422)) == ["block_id"]
    assert await fetch(client, editor, interview) == interview


async def test_pull_quote_put_in_another_speakers_mouth_is_422(
    client: Client, editor: Headers, interview: Json, lauri: Json
) -> None:
    response = await client.post(
        url(interview, "/pull-quotes"), json=quote(lauri, "largely positive"), headers=editor
    )
    assert fields(problem(response, 422)) == ["speaker_id"]
    assert await fetch(client, editor, interview) == interview


async def test_pull_quote_by_a_non_participant_is_409(
    client: Client, editor: Headers, interview: Json, anna: Json
) -> None:
    response = await client.post(
        url(interview, "/pull-quotes"), json=quote(anna, "Anything", None), headers=editor
    )
    assert fields(problem(response, 409)) == ["speaker_id"]
    assert await fetch(client, editor, interview) == interview


async def test_a_second_featured_quote_is_409_and_not_stored(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    first = await add_quote(
        client, editor, interview, quote(murad, "largely positive", featured=True)
    )
    response = await client.post(
        url(interview, "/pull-quotes"),
        json=quote(murad, "My experience", featured=True),
        headers=editor,
    )
    assert fields(problem(response, 409)) == ["featured"]
    assert await fetch(client, editor, interview) == first


async def test_unfeature_one_quote_then_feature_another(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    await add_quote(client, editor, interview, quote(murad, "largely positive", featured=True))
    both = await add_quote(client, editor, interview, quote(murad, "My experience"))
    first, second = (q["id"] for q in both["pull_quotes"])

    response = await client.patch(
        url(interview, f"/pull-quotes/{second}"), json={"featured": True}, headers=editor
    )
    assert fields(problem(response, 409)) == ["featured"]
    assert await fetch(client, editor, interview) == both

    ok(
        await client.patch(
            url(interview, f"/pull-quotes/{first}"), json={"featured": False}, headers=editor
        )
    )
    updated = ok(
        await client.patch(
            url(interview, f"/pull-quotes/{second}"), json={"featured": True}, headers=editor
        )
    )
    assert [(q["id"], q["featured"]) for q in updated["pull_quotes"]] == [
        (first, False),
        (second, True),
    ]
    assert updated["version"] == both["version"] + 2


async def test_patch_quote_text_must_still_occur_in_its_answer(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    added = await add_quote(client, editor, interview, quote(murad, "largely positive"))
    quote_id = added["pull_quotes"][0]["id"]
    response = await client.patch(
        url(interview, f"/pull-quotes/{quote_id}"), json={"text": "not said"}, headers=editor
    )
    assert fields(problem(response, 422)) == ["text"]
    updated = ok(
        await client.patch(
            url(interview, f"/pull-quotes/{quote_id}"),
            json={"text": "My experience was largely positive"},
            headers=editor,
        )
    )
    assert updated["pull_quotes"][0]["text"] == "My experience was largely positive"


async def test_delete_a_pull_quote(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    added = await add_quote(client, editor, interview, quote(murad, "largely positive"))
    quote_url = url(interview, f"/pull-quotes/{added['pull_quotes'][0]['id']}")
    updated = ok(await client.delete(quote_url, headers=editor))
    assert updated["pull_quotes"] == []
    assert updated["version"] == added["version"] + 1
    problem(await client.delete(quote_url, headers=editor), 404)
    problem(await client.patch(quote_url, json={"featured": True}, headers=editor), 404)
    assert await fetch(client, editor, interview) == updated


async def test_body_edit_that_orphans_a_quote_is_409(
    client: Client, editor: Headers, interview: Json, murad: Json
) -> None:
    added = await add_quote(client, editor, interview, quote(murad, "largely positive"))
    question, answer = added["body"]
    reworded = {**answer, "text": "It was fine."}
    response = await client.patch(
        url(interview), json={"body": [question, reworded]}, headers=editor
    )
    assert fields(problem(response, 409)) == ["body"]
    dropped = await client.patch(url(interview), json={"body": [question]}, headers=editor)
    assert fields(problem(dropped, 409)) == ["body"]
    assert await fetch(client, editor, interview) == added

    kept = {**answer, "text": "On the whole, largely positive."}
    updated = ok(
        await client.patch(url(interview), json={"body": [question, kept]}, headers=editor)
    )
    assert updated["body"][1]["text"] == "On the whole, largely positive."


# --- teasers -----------------------------------------------------------------------------------


async def test_put_card_teaser_stores_plain_text_as_typed(
    client: Client, editor: Headers, interview: Json
) -> None:
    """A teaser is plain text, not HTML: markup and entities are characters to show."""
    text = "<p>We <em>start</em> the series</p><script>alert(1)</script> with Fish &amp; chips."
    updated = ok(
        await client.put(url(interview, "/teasers/card"), json={"text": text}, headers=editor)
    )
    assert updated["teasers"] == {"card": text}
    assert updated["version"] == 2
    replaced = ok(
        await client.put(url(interview, "/teasers/card"), json={"text": "Again"}, headers=editor)
    )
    assert replaced["teasers"] == {"card": "Again"}
    assert await fetch(client, editor, interview) == replaced


@pytest.mark.parametrize(("placement", "limit"), [("card", 1600), ("social", 280)])
async def test_teaser_length_limit(
    client: Client, editor: Headers, interview: Json, placement: str, limit: int
) -> None:
    teaser_url = url(interview, f"/teasers/{placement}")
    response = await client.put(teaser_url, json={"text": "a" * (limit + 1)}, headers=editor)
    assert fields(problem(response, 422)) == ["text"]
    assert await fetch(client, editor, interview) == interview
    updated = ok(await client.put(teaser_url, json={"text": "a" * limit}, headers=editor))
    assert updated["teasers"] == {placement: "a" * limit}


async def test_teaser_limit_counts_graphemes_not_code_points(
    client: Client, editor: Headers, interview: Json
) -> None:
    social = url(interview, "/teasers/social")
    updated = ok(await client.put(social, json={"text": FAMILY * 280}, headers=editor))
    assert updated["teasers"]["social"] == FAMILY * 280
    response = await client.put(social, json={"text": FAMILY * 281}, headers=editor)
    assert fields(problem(response, 422)) == ["text"]
    assert await fetch(client, editor, interview) == updated


@pytest.mark.parametrize("text", [" \x07 ", "\u202e", " \u200b\n"])
async def test_teaser_with_no_visible_character_is_422(
    client: Client, editor: Headers, interview: Json, text: str
) -> None:
    response = await client.put(
        url(interview, "/teasers/card"), json={"text": text}, headers=editor
    )
    assert fields(problem(response, 422)) == ["text"]
    assert await fetch(client, editor, interview) == interview


async def test_unknown_placement_is_400(client: Client, editor: Headers, interview: Json) -> None:
    teaser_url = url(interview, "/teasers/billboard")
    response = await client.put(teaser_url, json={"text": "Hello"}, headers=editor)
    assert fields(problem(response, 400)) == ["placement"]
    problem(await client.delete(teaser_url, headers=editor), 400)
    assert await fetch(client, editor, interview) == interview


async def test_delete_teaser(client: Client, editor: Headers, interview: Json) -> None:
    teaser_url = url(interview, "/teasers/social")
    ok(await client.put(teaser_url, json={"text": "Read it"}, headers=editor))
    ok(await client.put(url(interview, "/teasers/card"), json={"text": "Card"}, headers=editor))
    updated = ok(await client.delete(teaser_url, headers=editor))
    assert updated["teasers"] == {"card": "Card"}
    assert updated["version"] == 4
    problem(await client.delete(teaser_url, headers=editor), 404)
    assert await fetch(client, editor, interview) == updated


async def test_parts_of_an_unknown_interview_are_404(client: Client, editor: Headers) -> None:
    ghost = {"id": GHOST}
    response = await client.put(url(ghost, "/teasers/card"), json={"text": "x"}, headers=editor)
    problem(response, 404)
    response = await client.put(url(ghost, "/participants"), json=[], headers=editor)
    problem(response, 404)


# --- versions ----------------------------------------------------------------------------------


async def test_every_part_write_bumps_the_version(
    client: Client, editor: Headers, interview: Json, lauri: Json, murad: Json
) -> None:
    people = cast((murad, "interviewee"), (lauri, "interviewer"))
    writes: list[tuple[str, str, Any]] = [
        ("PUT", "/participants", people),
        ("POST", "/pull-quotes", quote(murad, "largely positive")),
        ("PATCH", "/pull-quotes/{quote}", {"featured": True}),
        ("DELETE", "/pull-quotes/{quote}", None),
        ("PUT", "/teasers/card", {"text": "Card"}),
        ("DELETE", "/teasers/card", None),
    ]
    version, quote_id = 1, ""
    for method, part, body in writes:
        response = await client.request(
            method,
            url(interview, part.format(quote=quote_id)),
            json=body,
            headers={**editor, "If-Match": f'"v{version}"'},
        )
        updated = ok(response, 201 if method == "POST" else 200)
        assert updated["version"] == version + 1, (method, part)
        version = updated["version"]
        if method == "POST":
            quote_id = updated["pull_quotes"][0]["id"]
    assert (await fetch(client, editor, interview))["version"] == 7


@pytest.mark.parametrize(
    ("method", "part", "body"),
    [
        ("PUT", "/participants", []),
        ("POST", "/pull-quotes", {"text": "x", "speaker_id": GHOST}),
        ("PUT", "/teasers/card", {"text": "Card"}),
        ("DELETE", "/teasers/card", None),
    ],
)  # fmt: skip
async def test_part_write_with_stale_if_match_is_412(
    client: Client, editor: Headers, interview: Json, method: str, part: str, body: Any
) -> None:
    response = await client.request(
        method, url(interview, part), json=body, headers={**editor, "If-Match": '"v7"'}
    )
    assert fields(problem(response, 412)) == ["If-Match"]
    assert await fetch(client, editor, interview) == interview
