"""The excerpt card of an interview, as the seed's "Thursday Interview" shows it."""

import re

from app.demo import ANSWER, TEASER
from tests.content import (
    BASE,
    CONTENT,
    Headers,
    World,
    add_quote,
    get_json,
    set_teaser,
    thursday_interview,
)
from tests.factories import Client, Json

SLUG = "thursday-interview-murad-muradov"
LAURI = {
    "slug": "lauri-nikulainen",
    "name": "Lauri Nikulainen",
    "headline": "Host of the Thursday Interview",
    "url": f"{BASE}/people/lauri-nikulainen",
}
MURAD = {
    "slug": "murad-muradov",
    "name": "Murad Muradov",
    "headline": "A leading person in Azerbaijan's think tank community",
    "url": f"{BASE}/people/murad-muradov",
}
FEATURED = {"text": "My negative expectations luckily didn’t play out.", "speaker": "Murad Muradov"}

# Sentences of a long answer, as an editor writes them and as plain text.
SENTENCES = [
    ("My experience was <em>largely positive</em>.", "My experience was largely positive."),
    (
        "People kept asking me: “Why go at all?”",
        "People kept asking me: “Why go at all?”",
    ),
    (
        "The discussions were <strong>respectful</strong>, and the panel format bringing "
        "together experts from Armenia, Azerbaijan and Turkey was particularly valuable.",
        "The discussions were respectful, and the panel format bringing together experts "
        "from Armenia, Azerbaijan and Turkey was particularly valuable.",
    ),
    (
        "Media coverage, while varied in tone, remained largely constructive, and several "
        "outlets asked for Q&amp;A sessions with the panellists afterwards!",
        "Media coverage, while varied in tone, remained largely constructive, and several "
        "outlets asked for Q&A sessions with the panellists afterwards!",
    ),
    (
        "We agreed to meet again in Tbilisi next spring, this time with students from all "
        "three countries and a wider group of civil society organisations.",
        "We agreed to meet again in Tbilisi next spring, this time with students from all "
        "three countries and a wider group of civil society organisations.",
    ),
]
# One sentence of about 830 characters with no full stop before its end.
LONG_SENTENCE = "During the seminar in <em>Yerevan</em> " + ", ".join(
    f"we spoke with delegation number {i} about borders, trade routes and the return of "
    "displaced families"
    for i in range(8)
)


async def card_of(client: Client, slug: str) -> Json:
    return await get_json(client, f"{CONTENT}/interviews/{slug}/card")


async def with_answer(client: Client, editor: Headers, answer: str) -> Json:
    """A published interview whose first answer is `answer`, after a question."""
    world = World(client, editor)
    lauri = await world.person("Lauri Nikulainen")
    murad = await world.person("Murad Muradov")
    body = [
        {"type": "paragraph", "text": "An introduction that is not the answer."},
        {"type": "question", "speaker_id": lauri["id"], "text": "How was it?"},
        {"type": "answer", "speaker_id": murad["id"], "text": answer},
        {"type": "answer", "speaker_id": murad["id"], "text": "A second answer."},
    ]
    return await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", body=body
    )


def assert_excerpt_shape(teaser: str) -> None:
    assert 0 < len(teaser) <= 400
    assert not re.search(r"<[^>]*>", teaser), teaser
    assert "&amp;" not in teaser and "&lt;" not in teaser
    assert teaser.endswith(("…", ".", "!", "?", "?”", ".”")), teaser


async def test_seed_card_with_its_card_teaser(client: Client, editor: Headers) -> None:
    await thursday_interview(client, editor, teaser=TEASER)
    card = await card_of(client, SLUG)
    # Alone, a card carries the page's <meta> too (tests/content/test_social.py).
    page = await get_json(client, f"{CONTENT}/interviews/{SLUG}")
    assert card.pop("social") == page["social"]
    assert card == {
        "slug": SLUG,
        "kicker": "Thursday Interview",
        "headline": "Murad Muradov",
        "title": "Thursday Interview: Murad Muradov",
        "teaser": TEASER,
        "standfirst": None,
        "pull_quote": FEATURED,
        "image": None,
        "interviewers": [LAURI],
        "interviewees": [MURAD],
        "byline": "Conducted by Lauri Nikulainen",
        "published_at": "2026-11-26T09:00:00Z",
        "reading_minutes": 1,
        "url": f"{BASE}/interviews/{SLUG}",
        "call_to_action": card["call_to_action"],
    }
    assert isinstance(card["call_to_action"], str)
    assert card["call_to_action"].strip()


async def test_seed_card_without_teaser_excerpts_the_first_answer(
    client: Client, editor: Headers
) -> None:
    await thursday_interview(client, editor)
    card = await card_of(client, SLUG)
    # The first answer (not the opening paragraph or the question), as plain text, whole:
    # it is shorter than 400 characters.
    assert len(ANSWER) < 400
    assert card["teaser"] == ANSWER
    assert "<em>" not in card["teaser"]
    assert card["pull_quote"] == FEATURED
    assert card["reading_minutes"] >= 1


async def test_card_teaser_follows_teaser_edits(client: Client, editor: Headers) -> None:
    interview = await thursday_interview(client, editor)
    assert (await card_of(client, SLUG))["teaser"] == ANSWER
    teaser = "We start the series with <b>Murad</b> Muradov."
    await set_teaser(client, editor, interview, teaser)
    # A teaser is plain text: what the editor typed, `<b>` included, for the frontend to escape.
    assert (await card_of(client, SLUG))["teaser"] == teaser
    response = await client.delete(
        f"/admin/v1/interviews/{interview['id']}/teasers/card", headers=editor
    )
    assert response.status_code == 200, response.text
    assert (await card_of(client, SLUG))["teaser"] == ANSWER
    # Teasers for other placements do not stand in for the card's.
    await set_teaser(client, editor, interview, "For the newsletter.", placement="newsletter")
    assert (await card_of(client, SLUG))["teaser"] == ANSWER


async def test_excerpt_of_several_sentences_keeps_whole_sentences(
    client: Client, editor: Headers
) -> None:
    answer = " ".join(html for html, _ in SENTENCES)
    plain = [text for _, text in SENTENCES]
    assert len(" ".join(plain)) > 400
    interview = await with_answer(client, editor, answer)
    teaser = (await card_of(client, interview["slug"]))["teaser"]
    # The first four sentences make 362 characters; the fifth would pass 400.
    assert teaser == " ".join(plain[:4])
    assert len(teaser) == 362
    assert_excerpt_shape(teaser)


async def test_excerpt_of_one_long_sentence_is_cut_between_words(
    client: Client, editor: Headers
) -> None:
    interview = await with_answer(client, editor, LONG_SENTENCE)
    teaser = (await card_of(client, interview["slug"]))["teaser"]
    text = LONG_SENTENCE.replace("<em>", "").replace("</em>", "")
    assert len(text) > 800
    assert_excerpt_shape(teaser)
    assert teaser.endswith("…")
    kept = teaser.removesuffix("…")
    assert text.startswith(kept)
    assert not text[len(kept)].isalnum(), "cut inside a word"
    assert kept[-1].isalnum(), "the ellipsis follows a word, not a comma or space"
    assert len(kept) >= 350, "cut far earlier than needed"


async def test_excerpt_of_a_short_sentence_then_a_long_one(client: Client, editor: Headers) -> None:
    interview = await with_answer(client, editor, f"It was fine. {LONG_SENTENCE}.")
    teaser = (await card_of(client, interview["slug"]))["teaser"]
    assert teaser == "It was fine."


async def test_card_names_every_interviewer_and_interviewee(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    series = await world.series("Thursday Interview")
    lauri = await world.person("Lauri Nikulainen", headline="Host")
    anna = await world.person("Anna Host")
    murad = await world.person("Murad Muradov")
    tigran = await world.person("Tigran Grigoryan", headline="Journalist in Yerevan")
    response = await client.post(
        "/admin/v1/interviews",
        json={
            "series_id": series["id"],
            "title": "Two voices from the Caucasus",
            "participants": [
                {"person_id": lauri["id"], "role": "interviewer"},
                {"person_id": murad["id"], "role": "interviewee"},
                {"person_id": anna["id"], "role": "interviewer"},
                {"person_id": tigran["id"], "role": "interviewee"},
            ],
            "body": [{"type": "answer", "speaker_id": tigran["id"], "text": "Yes."}],
        },
        headers=editor,
    )
    assert response.status_code == 201, response.text
    interview = response.json()
    # A quote that is not featured is no card's pull quote.
    await add_quote(client, editor, interview, "Yes.", tigran)
    response = await client.post(f"/admin/v1/interviews/{interview['id']}/publish", headers=editor)
    assert response.status_code == 200, response.text

    card = await card_of(client, "two-voices-from-the-caucasus")
    assert card["headline"] == "Murad Muradov and Tigran Grigoryan"
    assert card["title"] == "Two voices from the Caucasus"
    assert card["byline"] == "Conducted by Lauri Nikulainen and Anna Host"
    assert [p["slug"] for p in card["interviewers"]] == ["lauri-nikulainen", "anna-host"]
    assert card["interviewees"][1] == {
        "slug": "tigran-grigoryan",
        "name": "Tigran Grigoryan",
        "headline": "Journalist in Yerevan",
        "url": f"{BASE}/people/tigran-grigoryan",
    }
    assert card["pull_quote"] is None
    assert card["teaser"] == "Yes."
    assert card["reading_minutes"] == 1


async def test_reading_minutes_count_words_of_the_whole_body(
    client: Client, editor: Headers
) -> None:
    answer = " ".join(["word"] * 459 + ["<em>end</em>."])
    interview = await with_answer(client, editor, answer)
    card = await card_of(client, interview["slug"])
    # 7 words of introduction + 3 of question + 460 + 3 of answers = 473, at 230 a minute.
    assert card["reading_minutes"] == 3
    assert_excerpt_shape(card["teaser"])


async def test_card_shows_the_standfirst_when_there_is_one(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    standfirst = "Murad Muradov on <b>borders</b> & trade,\nafter the war."
    with_one = await world.published("Thursday Interview", "Lauri", "Murad", standfirst=standfirst)
    without = await world.published("Thursday Interview", "Lauri", "Anna")

    assert (await card_of(client, with_one["slug"]))["standfirst"] == standfirst
    assert (await card_of(client, without["slug"]))["standfirst"] is None
