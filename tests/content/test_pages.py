"""The interview page, its JSON-LD, and the related interviews it (and /related) lists."""

from app.demo import ANSWER, TEASER
from tests.conftest import MovableClock
from tests.content import (
    BASE,
    CONTENT,
    Headers,
    World,
    add_quote,
    get_json,
    set_teaser,
    slugs,
    thursday_interview,
)
from tests.factories import Client, Json
from tests.helpers import fields, problem, publish, schedule, withdraw

SLUG = "thursday-interview-murad-muradov"


async def page_of(client: Client, slug: str) -> Json:
    return await get_json(client, f"{CONTENT}/interviews/{slug}")


async def test_seed_interview_page(client: Client, editor: Headers) -> None:
    interview = await thursday_interview(client, editor, teaser=TEASER)
    lauri, murad = interview["lauri"], interview["murad"]
    # A second, unfeatured pull quote, from the interviewer.
    await add_quote(client, editor, interview, "How was your visit to Yerevan?", lauri)

    page = await page_of(client, SLUG)
    assert page["id"] == interview["id"]
    assert page["slug"] == SLUG
    assert page["title"] == "Thursday Interview: Murad Muradov"
    assert page["url"] == f"{BASE}/interviews/{SLUG}"
    assert page["published_at"] == "2026-11-26T09:00:00Z"
    assert page["participants"] == [
        {
            "id": lauri["id"],
            "slug": "lauri-nikulainen",
            "name": "Lauri Nikulainen",
            "headline": "Host of the Thursday Interview",
            "url": f"{BASE}/people/lauri-nikulainen",
            "image": None,
            "role": "interviewer",
        },
        {
            "id": murad["id"],
            "slug": "murad-muradov",
            "name": "Murad Muradov",
            "headline": "A leading person in Azerbaijan's think tank community",
            "url": f"{BASE}/people/murad-muradov",
            "image": None,
            "role": "interviewee",
        },
    ]
    assert [block["type"] for block in page["body"]] == ["paragraph", "question", "answer"]
    assert page["body"][1]["speaker_id"] == lauri["id"]
    assert page["body"][2] == {
        "type": "answer",
        "id": "visit",
        "speaker_id": murad["id"],
        "text": ANSWER.replace("largely positive", "<em>largely positive</em>", 1),
    }

    html = page["html"]
    question = (
        '<p class="question"><strong>Lauri Nikulainen:</strong> How was your visit to Yerevan?</p>'
    )
    assert question in html
    assert html.index("<strong>Lauri Nikulainen:</strong>") < html.index("How was your visit")
    assert '<p class="answer"><strong>Murad Muradov:</strong> My experience was ' in html
    assert "<em>largely positive</em>" in html
    assert html.index("Last September") < html.index(question) < html.index("<em>largely")

    assert page["pull_quotes"] == [
        {
            "text": "My negative expectations luckily didn’t play out.",
            "speaker": "Murad Muradov",
            "featured": True,
        },
        {
            "text": "How was your visit to Yerevan?",
            "speaker": "Lauri Nikulainen",
            "featured": False,
        },
    ]
    assert page["series"] == {
        "slug": "thursday-interview",
        "title": "Thursday Interview",
        "url": f"{BASE}/series/thursday-interview",
    }
    assert page["tags"] == ["Armenia", "Azerbaijan", "peace process"]
    assert page["teasers"] == {"card": TEASER}
    assert page["feeds"] == {
        "rss": f"{BASE}/feeds/series/thursday-interview.rss",
        "atom": f"{BASE}/feeds/series/thursday-interview.atom",
        "json": f"{BASE}/feeds/series/thursday-interview.json",
    }
    assert page["reading_minutes"] == 1
    alone = await get_json(client, f"{CONTENT}/interviews/{SLUG}/card")
    assert alone.pop("social") == page["social"]
    assert page["card"] == alone
    assert page["related"] == []

    ld = page["json_ld"]
    assert ld["@context"] == "https://schema.org"
    assert ld["@type"] == "NewsArticle"
    assert ld["genre"] == "Interview"
    assert ld["headline"] == "Thursday Interview: Murad Muradov"
    assert ld["url"] == f"{BASE}/interviews/{SLUG}"
    assert ld["datePublished"] == "2026-11-26T09:00:00+00:00"
    assert ld["author"] == [
        {"@type": "Person", "name": "Lauri Nikulainen", "url": f"{BASE}/people/lauri-nikulainen"}
    ]
    assert ld["about"] == [
        {"@type": "Person", "name": "Murad Muradov", "url": f"{BASE}/people/murad-muradov"}
    ]
    assert ld["isPartOf"]["name"] == "Thursday Interview"
    assert ld["keywords"] == ["Armenia", "Azerbaijan", "peace process"]
    assert ld["hasPart"] == [
        {
            "@type": "Quotation",
            "text": "My negative expectations luckily didn’t play out.",
            "creator": {"@type": "Person", "name": "Murad Muradov"},
        },
        {
            "@type": "Quotation",
            "text": "How was your visit to Yerevan?",
            "creator": {"@type": "Person", "name": "Lauri Nikulainen"},
        },
    ]


async def test_participants_name_the_speakers_of_the_body(client: Client, editor: Headers) -> None:
    """A renderer of its own finds each block's speaker among the participants by id."""
    world = World(client, editor)
    portrait = {
        "url": "https://images.example/murad.jpg",
        "alt": "Murad Muradov, smiling",
        "width": 800,
        "height": 1000,
    }
    await world.person("Murad Muradov", image=portrait)
    interview = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")

    page = await page_of(client, interview["slug"])
    speakers = {p["id"]: p for p in page["participants"]}
    assert [speakers[b["speaker_id"]]["name"] for b in page["body"]] == [
        "Lauri Nikulainen",
        "Murad Muradov",
    ]
    assert speakers[page["body"][1]["speaker_id"]]["image"] == {
        **portrait,
        "decorative": False,
        "credit": "",
        "caption": "",
        "focal_point": None,
    }
    assert speakers[page["body"][0]["speaker_id"]]["image"] is None


async def test_page_escapes_speaker_names_in_html(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    host = await world.person("Tom & Jerry <Hosts>")
    guest = await world.person("Murad Muradov")
    body = [
        {"type": "question", "speaker_id": host["id"], "text": "Why?"},
        {"type": "answer", "speaker_id": guest["id"], "text": "Because."},
    ]
    interview = await world.published("Thursday Interview", host["name"], guest["name"], body=body)
    page = await page_of(client, interview["slug"])
    assert "<strong>Tom &amp; Jerry &lt;Hosts&gt;:</strong> Why?" in page["html"]
    assert page["participants"][0]["name"] == "Tom & Jerry <Hosts>"


async def related_world(client: Client, editor: Headers, clock: MovableClock) -> dict[str, Json]:
    """An interview and others that share more or less with it, each published an hour
    after the one before, so that the least related are the newest."""
    world = World(client, editor)
    found: dict[str, Json] = {}
    found["me"] = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia"]
    )
    plan = [
        # name: series, interviewer, interviewee, tags
        ("same interviewee", "Caucasus Voices", "Anna Host", "Murad Muradov", []),
        ("same interviewer", "Weekend Talk", "Lauri Nikulainen", "Zara Aliyeva", []),
        ("same series", "Thursday Interview", "Other Host", "Tigran Grigoryan", []),
        ("same tag", "Weekend Talk", "Third Host", "Vardan Petrosyan", ["Armenia"]),
        ("unrelated", "Weekend Talk", "Third Host", "Nobody Related", ["Sports"]),
    ]
    for name, series, interviewer, interviewee, tags in plan:
        clock.advance(hours=1)
        found[name] = await world.published(series, interviewer, interviewee, tags=tags)
    # Closely related, but not public: a draft, one scheduled for later, one withdrawn.
    found["draft"] = await world.draft(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia"]
    )
    found["scheduled"] = await world.draft(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia"]
    )
    await schedule(client, editor, found["scheduled"], "2026-12-03T10:00:00Z")
    found["withdrawn"] = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia"]
    )
    await withdraw(client, editor, found["withdrawn"])
    return found


async def test_related_ranks_people_then_series_then_tags(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    found = await related_world(client, editor, clock)
    slug_of = {name: interview["slug"] for name, interview in found.items()}
    expected = [
        slug_of["same interviewee"],
        slug_of["same interviewer"],
        slug_of["same series"],
        slug_of["same tag"],
    ]
    response = await get_json(client, f"{CONTENT}/interviews/{slug_of['me']}/related", limit=20)
    assert slugs(response["items"]) == expected
    assert response["next_cursor"] is None
    for name in ("me", "unrelated", "draft", "scheduled", "withdrawn"):
        assert slug_of[name] not in slugs(response["items"]), name

    page = await page_of(client, slug_of["me"])
    assert slugs(page["related"]) == expected  # at most four on the page
    short = await get_json(client, f"{CONTENT}/interviews/{slug_of['me']}/related", limit=2)
    assert slugs(short["items"]) == expected[:2]


async def test_related_series_ranks_above_tag_whichever_is_newer(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    """Sharing only the series ranks above sharing only one tag, even when the tag-sharing
    interview is the newer one."""
    world = World(client, editor)
    me = await world.published(
        "Thursday Interview", "Lauri Nikulainen", "Murad Muradov", tags=["Armenia"]
    )
    clock.advance(hours=1)
    same_series = await world.published("Thursday Interview", "Other Host", "Tigran Grigoryan")
    clock.advance(hours=1)
    same_tag = await world.published(
        "Weekend Talk", "Third Host", "Vardan Petrosyan", tags=["Armenia"]
    )
    response = await get_json(client, f"{CONTENT}/interviews/{me['slug']}/related")
    assert slugs(response["items"]) == [same_series["slug"], same_tag["slug"]]


async def test_related_shows_a_scheduled_interview_once_its_time_comes(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    found = await related_world(client, editor, clock)
    me = found["me"]["slug"]
    before = await get_json(client, f"{CONTENT}/interviews/{me}/related", limit=20)
    assert found["scheduled"]["slug"] not in slugs(before["items"])
    clock.current = clock.current.replace(year=2026, month=12, day=3, hour=10, minute=0)
    after = await get_json(client, f"{CONTENT}/interviews/{me}/related", limit=20)
    # Same interviewee, interviewer, series and tag: the most related of all.
    assert slugs(after["items"])[0] == found["scheduled"]["slug"]
    assert found["draft"]["slug"] not in slugs(after["items"])
    assert found["withdrawn"]["slug"] not in slugs(after["items"])
    # The draft, published, joins too; the page never lists the interview itself.
    await publish(client, editor, found["draft"])
    page = await page_of(client, me)
    assert found["draft"]["slug"] in slugs(page["related"])
    assert me not in slugs(page["related"])


async def test_related_limits_and_errors(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    me = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    for limit in (0, 21):
        body = problem(
            await client.get(f"{CONTENT}/interviews/{me['slug']}/related?limit={limit}"), 400
        )
        assert body["errors"][0]["field"] == "limit"
    problem(await client.get(f"{CONTENT}/interviews/nothing-here/related"), 404)


async def test_json_ld_describes_by_teaser_then_standfirst_then_first_answer(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    standfirst = "Murad Muradov on <b>borders</b> & trade."
    interview = await world.published("Thursday Interview", "Lauri", "Murad", standfirst=standfirst)
    bare = await world.published("Thursday Interview", "Lauri", "Anna")

    page = await page_of(client, interview["slug"])
    assert page["standfirst"] == standfirst
    assert page["json_ld"]["description"] == standfirst
    assert "<b>" not in page["json_ld_script"]  # escaped for <script>, as every string there
    ld = (await page_of(client, bare["slug"]))["json_ld"]
    assert ld["description"] == "My experience was largely positive."

    await set_teaser(client, editor, interview, "The teaser.")
    assert (await page_of(client, interview["slug"]))["json_ld"]["description"] == "The teaser."


async def test_formats_choose_the_body_fields(client: Client, editor: Headers) -> None:
    """html and blocks by default; text adds each block as plain text; what is not asked for
    is left out."""
    interview = await thursday_interview(client, editor)
    lauri, murad = interview["lauri"], interview["murad"]
    path = f"{CONTENT}/interviews/{SLUG}"
    default = await page_of(client, SLUG)
    assert {"html", "body"} <= default.keys() and "body_text" not in default

    every = await get_json(client, path, formats="html,blocks,text")
    assert every["body_text"] == [
        {
            "id": default["body"][0]["id"],
            "type": "paragraph",
            "speaker_id": None,
            "text": "Last September Murad Muradov was the first Azerbaijani civil society "
            "activist to visit Armenia after the 44 day war.",
        },
        {
            "id": default["body"][1]["id"],
            "type": "question",
            "speaker_id": lauri["id"],
            "text": "How was your visit to Yerevan?",
        },
        {"id": "visit", "type": "answer", "speaker_id": murad["id"], "text": ANSWER},
    ]
    assert {key: value for key, value in every.items() if key != "body_text"} == default

    response = await client.get(path, params=[("formats", "text"), ("formats", "html")])
    assert response.status_code == 200, response.text
    repeated = response.json()
    assert repeated["body_text"] == every["body_text"]
    assert repeated["html"] == default["html"]
    assert "body" not in repeated
    text_only = await get_json(client, path, formats="text")
    assert "html" not in text_only and "body" not in text_only
    assert text_only["card"] == default["card"]

    assert fields(problem(await client.get(path, params={"formats": "pdf"}), 400)) == ["formats"]


async def test_a_speakers_plain_text_decodes_entities_and_drops_tags(
    client: Client, editor: Headers
) -> None:
    world = World(client, editor)
    answer = "Q&amp;A with <strong>&lt;b&gt;</strong> inside."
    lauri, murad = await world.person("Lauri Nikulainen"), await world.person("Murad Muradov")
    body = [{"type": "answer", "speaker_id": murad["id"], "text": answer}]
    interview = await world.published("Thursday Interview", lauri["name"], murad["name"], body=body)
    page = await get_json(client, f"{CONTENT}/interviews/{interview['slug']}", formats="text")
    assert [block["text"] for block in page["body_text"]] == ["Q&A with <b> inside."]
