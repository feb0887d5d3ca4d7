"""`social`: the Open Graph and Twitter `<meta>` of an interview page and of its card alone."""

import msgspec
import pytest

from app.demo import ANSWER
from app.settings import Settings
from tests.conftest import MovableClock
from tests.content import BASE, CONTENT, Headers, World, get_json, set_teaser, thursday_interview
from tests.factories import Client, Json, make_interview, make_person, make_series
from tests.helpers import publish

SLUG = "thursday-interview-murad-muradov"
IMAGE = {
    "url": "https://img.news.example/murad.jpg",
    "alt": "Murad Muradov in Yerevan",
    "credit": "Press office",
    "width": 1600,
    "height": 900,
}


def og(name: str, content: str) -> Json:
    return {"property": name, "content": content}


def twitter(name: str, content: str) -> Json:
    return {"name": name, "content": content}


async def social_of(client: Client, slug: str) -> list[Json]:
    """The page's `social`, after checking that the card alone carries the same."""
    page = await get_json(client, f"{CONTENT}/interviews/{slug}")
    card = await get_json(client, f"{CONTENT}/interviews/{slug}/card")
    assert card["social"] == page["social"]
    assert "social" not in page["card"], "the page has its own"
    social: list[Json] = page["social"]
    return social


def contents(social: list[Json], key: str) -> list[str]:
    """The contents of every entry whose property or name is `key`, in order."""
    return [m["content"] for m in social if key in (m.get("property"), m.get("name"))]


async def test_the_seed_without_an_image(client: Client, editor: Headers) -> None:
    await thursday_interview(client, editor, teaser="The card teaser.")
    url = f"{BASE}/interviews/{SLUG}"
    title = "Thursday Interview: Murad Muradov"
    published = "2026-11-26T09:00:00+00:00"
    assert await social_of(client, SLUG) == [
        og("og:type", "article"),
        og("og:site_name", "Colloquy"),
        og("og:locale", "en"),
        og("og:url", url),
        og("og:title", title),
        og("og:description", "The card teaser."),
        og("article:published_time", published),
        og("article:modified_time", published),
        og("article:section", "Thursday Interview"),
        og("article:author", f"{BASE}/people/lauri-nikulainen"),
        og("article:tag", "Armenia"),
        og("article:tag", "Azerbaijan"),
        og("article:tag", "peace process"),
        twitter("twitter:card", "summary"),
        twitter("twitter:title", title),
        twitter("twitter:description", "The card teaser."),
    ]


async def test_with_an_image_two_interviewers_and_no_tags(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    series = await make_series(client, editor, title="Weekend Talk")
    anna, lauri, zara = [
        await make_person(client, editor, name) for name in ("Anna Host", "Lauri N", "Zara A")
    ]
    interview = await make_interview(
        client,
        editor,
        series,
        anna,
        zara,
        image=IMAGE,
        participants=[
            {"person_id": anna["id"], "role": "interviewer"},
            {"person_id": lauri["id"], "role": "interviewer"},
            {"person_id": zara["id"], "role": "interviewee"},
        ],
    )
    await publish(client, editor, interview)
    clock.advance(hours=2)
    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}", json={"standfirst": "Later."}, headers=editor
    )
    assert response.status_code == 200, response.text

    social = await social_of(client, interview["slug"])
    assert contents(social, "og:image") == [IMAGE["url"]]
    assert contents(social, "og:image:alt") == [IMAGE["alt"]]
    assert contents(social, "twitter:card") == ["summary_large_image"]
    assert contents(social, "twitter:image") == [IMAGE["url"]]
    assert contents(social, "twitter:image:alt") == [IMAGE["alt"]]
    assert contents(social, "article:author") == [
        f"{BASE}/people/{anna['slug']}",
        f"{BASE}/people/{lauri['slug']}",
    ]
    assert contents(social, "article:tag") == []
    assert contents(social, "article:section") == ["Weekend Talk"]
    assert contents(social, "article:published_time") == ["2026-11-26T09:00:00+00:00"]
    assert contents(social, "article:modified_time") == ["2026-11-26T11:00:00+00:00"]
    # Open Graph: an image's own properties follow it; without an image service, its own size.
    keys = [m.get("property") for m in social]
    at = keys.index("og:image")
    assert keys[at : at + 4] == ["og:image", "og:image:width", "og:image:height", "og:image:alt"]
    assert contents(social, "og:image:width") == ["1600"]
    assert contents(social, "og:image:height") == ["900"]


async def test_description_is_the_social_teaser_else_the_card_teaser_else_the_excerpt(
    client: Client, editor: Headers
) -> None:
    interview = await thursday_interview(client, editor)
    description = ("og:description", "twitter:description")
    assert [contents(await social_of(client, SLUG), d) for d in description] == [[ANSWER]] * 2
    await set_teaser(client, editor, interview, "The card teaser.")
    assert [contents(await social_of(client, SLUG), d) for d in description] == [
        ["The card teaser."]
    ] * 2
    await set_teaser(client, editor, interview, "Shared.", placement="social")
    await set_teaser(client, editor, interview, "On the front page.", placement="frontpage")
    assert [contents(await social_of(client, SLUG), d) for d in description] == [["Shared."]] * 2


async def test_values_are_plain_text_as_typed(client: Client, editor: Headers) -> None:
    """Escaping is the frontend's, as it writes each value into an attribute."""
    world = World(client, editor)
    title = 'Fish & "chips" <b>now</b>'
    interview = await world.published("Talk & <Tea>", "Anna Host", "Zara A", title=title)
    await set_teaser(client, editor, interview, "<script>x</script> &amp;", placement="social")
    social = await social_of(client, interview["slug"])
    assert contents(social, "og:title") == contents(social, "twitter:title") == [title]
    assert contents(social, "og:description") == ["<script>x</script> &amp;"]
    assert contents(social, "article:section") == ["Talk & <Tea>"]


async def test_cards_in_lists_carry_no_social(client: Client, editor: Headers) -> None:
    await thursday_interview(client, editor)
    listed = await get_json(client, f"{CONTENT}/interviews")
    assert listed["items"] and all("social" not in card for card in listed["items"])
    frontpage = await get_json(client, f"{CONTENT}/frontpage")
    assert all("social" not in c for s in frontpage["sections"] for c in s["items"])


class TestSiteSettings:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return msgspec.structs.replace(settings, site_title="News Example", site_language="en-GB")

    async def test_site_name_and_locale(self, client: Client, editor: Headers) -> None:
        await thursday_interview(client, editor)
        social = await social_of(client, SLUG)
        assert contents(social, "og:site_name") == ["News Example"]
        assert contents(social, "og:locale") == ["en_GB"]
