"""Search: GET /content/v1/search over public interviews, and `q` on the admin list."""

from typing import Any

import asyncpg
import pytest

from app.cache import PublicCache
from app.search.language import use_site_language
from tests.conftest import MovableClock
from tests.content import CONTENT, World, add_quote, get_json, set_teaser
from tests.factories import Client, Headers, Json, make_series
from tests.helpers import problem, publish, withdraw

SEARCH = f"{CONTENT}/search"


@pytest.fixture(params=["walk", "sort"], autouse=True)
def candidates_found_by(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every search runs both ways of finding its candidates, which the words' frequencies
    choose between: walking the documents newest first, and sorting the index's matches."""
    walk = request.param == "walk"
    monkeypatch.setattr("app.search.queries.walk_newest_first", lambda *_: walk)


def paragraph(text: str) -> list[Json]:
    return [{"type": "paragraph", "text": text}]


async def found(client: Client, q: str, **params: Any) -> list[str]:
    """Slugs of the public hits for `q`, best first (one page of up to 50)."""
    page = await get_json(client, SEARCH, q=q, limit=50, **params)
    return [hit["card"]["slug"] for hit in page["items"]]


async def admin_found(client: Client, editor: Headers, q: str) -> list[str]:
    response = await client.get("/admin/v1/interviews", params={"q": q}, headers=editor)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


async def test_a_word_in_the_title_ranks_above_the_same_word_in_the_body(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    in_body = await world.published(
        "Weekend Talk",
        "Anna Host",
        "Zara Aliyeva",
        title="Rivers and roads",
        body=paragraph("We spoke about the caravan trade and about a lot of other things."),
    )
    in_title = await world.published(
        "Weekend Talk",
        "Anna Host",
        "Tigran Grigoryan",
        title="The caravan routes",
        body=paragraph("We spoke about mountains."),
    )
    assert await found(client, "caravan") == [in_title["slug"], in_body["slug"]]


async def test_accents_do_not_matter_either_way(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    murad = await world.published("Weekend Talk", "Anna Host", "Murad Muradov")
    zurich = await world.published(
        "Weekend Talk",
        "Anna Host",
        "Zara Aliyeva",
        body=paragraph("The talks were held in Zürich, by the lake."),
    )
    assert await found(client, "Murâdov") == [murad["slug"]]
    assert await found(client, "zurich") == [zurich["slug"]]
    assert await found(client, "ZÜRICH") == [zurich["slug"]]
    page = await get_json(client, SEARCH, q="zurich")
    assert "<mark>Zürich</mark>" in page["items"][0]["snippet"]


async def test_words_match_their_other_forms_in_the_site_language(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    interview = await world.published(
        "Weekend Talk",
        "Anna Host",
        "Zara Aliyeva",
        title="One negotiation",
        body=paragraph("She negotiated for years."),
    )
    assert await found(client, "negotiations") == [interview["slug"]]
    assert await found(client, "negotiating") == [interview["slug"]]


async def test_a_name_made_of_stop_words_is_still_found(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    will = await world.published("Weekend Talk", "Anna Host", "Will Over")
    await world.published(
        "Weekend Talk",
        "Anna Host",
        "Zara Aliyeva",
        body=paragraph("What will happen over the winter?"),
    )
    # "will" and "over" are English stop words: the text is not searched for them, the names are.
    assert await found(client, "Will Over") == [will["slug"]]
    assert await found(client, "over") == [will["slug"]]


async def test_phrases_alternatives_and_negation(client: Client, editor: Headers) -> None:
    world = World(client, editor)

    async def interview(interviewee: str, text: str) -> str:
        made = await world.published(
            "Weekend Talk", "Anna Host", interviewee, title="Talk", body=paragraph(text)
        )
        return str(made["slug"])

    phrase = await interview("Zara Aliyeva", "The peace process stalled in spring.")
    apart = await interview("Tigran Grigoryan", "A process of peace, not a deal.")
    peace_only = await interview("Nino Beridze", "Peace came quietly.")
    trade = await interview("Vardan Petrosyan", "Trade routes opened.")
    assert await found(client, '"peace process"') == [phrase]
    assert set(await found(client, "peace process")) == {phrase, apart}
    assert await found(client, "peace -process") == [peace_only]
    assert set(await found(client, "trade or quietly")) == {trade, peace_only}


async def test_the_snippet_marks_the_words_found_and_escapes_everything_else(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    interview = await world.published(
        "Weekend Talk",
        "Anna Host",
        "Zara Aliyeva",
        standfirst='Fish & chips <script>alert("x")</script> by the sea',
        body=paragraph("Chips, said the &lt;b&gt; cook &amp; <em>smiled</em>."),
    )
    await set_teaser(client, editor, interview, "A teaser with <img src=x onerror=alert(1)>")
    await add_quote(
        client, editor, interview, "Chips & <i>salt</i>", world.people_by_name["Zara Aliyeva"]
    )
    page = await get_json(client, SEARCH, q="chips")
    snippet = page["items"][0]["snippet"]
    standfirst = "Fish &amp; <mark>chips</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert standfirst in snippet
    assert "&amp;" in snippet and "&lt;" in snippet
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
    assert "&amp;lt;" not in snippet  # the body's own escapes are not escaped twice


async def test_filters(client: Client, editor: Headers, clock: MovableClock) -> None:
    world = World(client, editor)
    early = await world.published(
        "Weekend Talk", "Anna Host", "Zara Aliyeva", title="Harvest", tags=["Armenia"]
    )
    clock.advance(days=2)
    late = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", title="Harvest"
    )
    weekend = world.series_by_title["Weekend Talk"]["slug"]
    assert await found(client, "harvest", series=weekend) == [early["slug"]]
    murad = world.people_by_name["Murad Muradov"]["slug"]
    assert await found(client, "harvest", person=murad) == [late["slug"]]
    assert await found(client, "harvest", tag="Armenia") == [early["slug"]]
    assert await found(client, "harvest", since=late["published_at"]) == [late["slug"]]
    assert await found(client, "harvest", until=late["published_at"]) == [early["slug"]]


async def test_pages_visit_each_hit_once_best_first(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    expected = set()
    for n, interviewee in enumerate(
        ["Zara Aliyeva", "Tigran Grigoryan", "Nino Beridze", "Vardan Petrosyan", "Ani Hakobyan"]
    ):
        # Two pairs rank the same: the cursor must still tell them apart.
        text = " ".join(["Orchards."] * (1 + n // 2))
        made = await world.published("Weekend Talk", "Anna Host", interviewee, body=paragraph(text))
        expected.add(made["slug"])
    seen: list[str] = []
    ranks: list[float] = []
    cursor = None
    while True:
        params = {"q": "orchard", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await get_json(client, SEARCH, **params)
        seen += [hit["card"]["slug"] for hit in page["items"]]
        ranks += [hit["rank"] for hit in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(expected)
    assert ranks == sorted(ranks, reverse=True)


async def test_a_broad_query_ranks_its_newest_matches_and_its_pages_keep_them(
    client: Client, editor: Headers, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More matches than are ranked (CANDIDATES): the newest are ranked, best first; a match
    published between two pages joins the later ones but pushes none of the first's out."""
    monkeypatch.setattr("app.search.queries.CANDIDATES", 3)
    world = World(client, editor)

    async def orchards(interviewee: str, mentions: int) -> str:
        text = " ".join(["Orchards."] * mentions)
        made = await world.published("Weekend Talk", "Anna Host", interviewee, body=paragraph(text))
        clock.advance(hours=1)
        return str(made["slug"])

    await orchards("Zara Aliyeva", 3)  # the oldest: not ranked, though it would rank first
    one = await orchards("Tigran Grigoryan", 1)
    two = await orchards("Nino Beridze", 2)
    three = await orchards("Vardan Petrosyan", 3)
    assert await found(client, "orchard") == [three, two, one]

    first = await get_json(client, SEARCH, q="orchard", limit=2)
    assert [hit["card"]["slug"] for hit in first["items"]] == [three, two]
    newer = await orchards("Ani Hakobyan", 1)
    rest = await get_json(client, SEARCH, q="orchard", limit=2, cursor=first["next_cursor"])
    assert {hit["card"]["slug"] for hit in rest["items"]} == {one, newer}
    assert rest["next_cursor"] is None


async def test_only_public_interviews_are_found_but_the_admin_finds_every_status(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    draft = await world.draft("Weekend Talk", "Anna Host", "Zara Aliyeva", title="Saffron")
    hidden_series = await make_series(
        client, editor, title="Back Room", slug="back-room", visibility="hidden"
    )
    world.series_by_title["Back Room"] = hidden_series
    hidden = await world.published("Back Room", "Anna Host", "Zara Aliyeva", title="Saffron")
    public = await world.published("Weekend Talk", "Anna Host", "Zara Aliyeva", title="Saffron")
    assert await found(client, "saffron") == [public["slug"]]
    assert set(await admin_found(client, editor, "saffron")) == {
        draft["slug"],
        hidden["slug"],
        public["slug"],
    }
    assert await admin_found(client, editor, "cardamom") == []


async def test_the_document_follows_every_edit(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    interview = await world.published("Weekend Talk", "Anna Host", "Zara Aliyeva", title="Figs")
    slug = interview["slug"]
    assert await found(client, "figs") == [slug]

    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}", json={"title": "Pomegranates"}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert await found(client, "figs") == []
    assert await found(client, "pomegranate") == [slug]

    await set_teaser(client, editor, interview, "Apricots from the valley.")
    assert await found(client, "apricots") == [slug]
    await add_quote(client, editor, interview, "Quinces keep.", world.people_by_name["Anna Host"])
    assert await found(client, "quince") == [slug]

    person = world.people_by_name["Zara Aliyeva"]
    response = await client.patch(
        f"/admin/v1/people/{person['id']}", json={"name": "Zara Mulberry"}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert await found(client, "mulberry") == [slug]
    assert await found(client, "aliyeva") == []

    series = world.series_by_title["Weekend Talk"]
    response = await client.patch(
        f"/admin/v1/series/{series['id']}", json={"title": "Sunday Chestnuts"}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert await found(client, "chestnut") == [slug]

    await withdraw(client, editor, interview)
    assert await found(client, "pomegranate") == []
    assert await admin_found(client, editor, "pomegranate") == [slug]
    path = f"/admin/v1/interviews/{interview['id']}"
    etag = (await client.get(path, headers=editor)).headers["ETag"]
    response = await client.delete(path, headers={**editor, "If-Match": etag})
    assert response.status_code == 204, response.text
    assert await admin_found(client, editor, "pomegranate") == []


async def test_a_query_is_never_an_error_but_its_bounds_are_kept(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    await world.published("Weekend Talk", "Anna Host", "Zara Aliyeva", title="Walnuts")
    for typed in ['"unclosed', "-", "!!! && || :* <->", "the and of", "", "   ", "'\\"]:
        page = await get_json(client, SEARCH, q=typed)
        assert page == {"items": [], "next_cursor": None}, typed
    assert await found(client, '"walnuts') != []  # an unclosed quote still reads the words
    problem(await client.get(SEARCH, params={"q": "w" * 201}), 400)
    assert await found(client, "walnut " + "w" * 193) == []  # 200 characters: asked, not refused
    problem(await client.get(SEARCH, params={"q": "walnut", "limit": 51}), 400)
    problem(await client.get(SEARCH, params={"q": "walnut", "limit": 0}), 400)
    problem(await client.get(SEARCH, params={"q": "walnut", "cursor": "nonsense"}), 400)
    problem(await client.get(SEARCH), 400)
    response = await client.get("/admin/v1/interviews", params={"q": "w" * 201}, headers=editor)
    problem(response, 400)


async def test_the_site_language_sets_the_stemming(
    client: Client, editor: Headers, db: asyncpg.Connection, app: PublicCache
) -> None:
    world = World(client, editor)
    interview = await world.published(
        "Weekend Talk",
        "Anna Host",
        "Zara Aliyeva",
        title="Un entretien",
        body=paragraph("Les négociations ont duré des années."),
    )

    async def use(language: str) -> bool:
        changed = await use_site_language(db, language)
        app.freshness.bump()  # as the notice it sends will, a moment later
        return changed

    assert await use("en") is False  # already English: nothing rebuilt
    try:
        assert await use("fr-BE") is True
        assert await found(client, "négociation") == [interview["slug"]]
        assert await found(client, "entretiens") == [interview["slug"]]
        assert await use("tlh") is True  # no stemmer: words as they are
        assert await found(client, "entretiens") == []
        assert await found(client, "Entretien") == [interview["slug"]]
    finally:
        restored = await use("en")
    assert restored is True
    assert await found(client, "entretiens") == [interview["slug"]]


async def test_search_answers_from_the_cache_until_content_changes(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    interview = await world.draft("Weekend Talk", "Anna Host", "Zara Aliyeva", title="Almonds")
    assert await found(client, "almonds") == []
    await publish(client, editor, interview)
    assert await found(client, "almonds") == [interview["slug"]]


async def test_a_search_that_runs_too_long_is_stopped_with_a_503(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word in most of a large archive is ranked match by match (~1 s at 100,000 interviews):
    the database stops a search past its bound, and the answer says what to do."""

    async def slow(db: asyncpg.Connection, *_: object) -> list[object]:
        async with db.transaction():
            await db.execute("SET LOCAL statement_timeout = 1")
            await db.execute("SELECT pg_sleep(1)")
        return []

    monkeypatch.setattr("app.search.routes.select_hits", slow)
    body = problem(await client.get(SEARCH, params={"q": "peace"}), 503)
    assert body["errors"][0]["field"] == "q"
