"""Each teaser where it belongs: the front page shows `frontpage` teasers, every other card the
`card` teaser, each falling back to the card teaser and then to the excerpt; limits are settings
that hold the seed."""

import msgspec
import pytest

from app.demo import ANSWER
from app.settings import Settings
from tests.content import CONTENT, Headers, get_json, set_teaser, thursday_interview
from tests.factories import Client, Json
from tests.helpers import fields, problem

SLUG = "thursday-interview-murad-muradov"
# The Thursday Interview card on the seed's front page, exactly as written there (its double
# spaces too): 1,433 characters.
SEED_FRONTPAGE_TEASER = (
    "Today, commonspace.eu starts a new regular weekly series. THURSDAY INTERVIEW, conducted by "
    "Lauri Nikulainen, will host  persons who are thinkers, opinion shapers, and implementors in "
    "their countries and spheres. We start the series with an interview with Murad Muradov, a "
    "leading person in Azerbaijan's think tank community. He is also the first co-chair of the "
    "Action Committee for a new Armenian-Azerbaijani Dialogue. Last September he made history "
    "by being the first Azerbaijani civil society activist to visit Armenia after the 44 day "
    "war, and the start of the peace process. Speaking about this visit Murad Muradov said: "
    '"My experience was largely positive. My negative expectations luckily didn’t play out. '
    "The discussions were respectful, the panel format bringing together experts from Armenia, "
    "Azerbaijan, and Turkey was particularly valuable during the NATO Rose-Roth Seminar in "
    "Yerevan, and media coverage, while varied in tone, remained largely constructive. Some "
    "media outlets though attempted to represent me as more of a government mouthpiece than an "
    "independent expert, which was totally misleading.  Overall, I see these initiatives as "
    "important steps in rebuilding trust and normalising professional engagement. The fact "
    "that soon a larger Azerbaijani civil society visits to Armenia followed, reinforces the "
    'sense that this process is moving in the right direction." (click the image to read the '
    "interview in full)"
)
PLACES = ("frontpage", "card", "list", "series", "person", "page")


async def teasers_shown(client: Client) -> dict[str, str]:
    """Where the seed interview shows as a card -> the teaser it shows there."""
    frontpage = await get_json(client, f"{CONTENT}/frontpage")
    on_frontpage = {
        item["teaser"]
        for section in frontpage["sections"]
        for item in section["items"]
        if item["slug"] == SLUG
    }
    assert len(on_frontpage) == 1, "one teaser in every section of the front page"
    lists = {
        "list": f"{CONTENT}/interviews",
        "series": f"{CONTENT}/series/thursday-interview",
        "person": f"{CONTENT}/people/murad-muradov",
    }
    listed = {
        place: (await get_json(client, path))["items" if place == "list" else "interviews"][0]
        for place, path in lists.items()
    }
    return {
        "frontpage": on_frontpage.pop(),
        "card": (await get_json(client, f"{CONTENT}/interviews/{SLUG}/card"))["teaser"],
        **{place: card["teaser"] for place, card in listed.items()},
        "page": (await get_json(client, f"{CONTENT}/interviews/{SLUG}"))["card"]["teaser"],
    }


def everywhere(teaser: str, frontpage: str | None = None) -> dict[str, str]:
    return {**dict.fromkeys(PLACES, teaser), "frontpage": frontpage or teaser}


async def test_the_front_page_shows_the_frontpage_teaser_and_every_other_card_the_card_one(
    client: Client, editor: Headers
) -> None:
    interview = await thursday_interview(client, editor, teaser="The card teaser.")
    await set_teaser(client, editor, interview, "The front-page teaser.", placement="frontpage")
    await set_teaser(client, editor, interview, "The social teaser.", placement="social")
    await set_teaser(client, editor, interview, "The newsletter teaser.", placement="newsletter")
    assert await teasers_shown(client) == everywhere("The card teaser.", "The front-page teaser.")


async def test_without_a_frontpage_teaser_the_front_page_shows_the_card_teaser(
    client: Client, editor: Headers
) -> None:
    interview = await thursday_interview(client, editor, teaser="The card teaser.")
    await set_teaser(client, editor, interview, "The social teaser.", placement="social")
    assert await teasers_shown(client) == everywhere("The card teaser.")


async def test_without_teasers_every_card_shows_the_excerpt(
    client: Client, editor: Headers
) -> None:
    await thursday_interview(client, editor)
    assert await teasers_shown(client) == everywhere(ANSWER)


async def test_a_frontpage_teaser_alone_shows_on_the_front_page_only(
    client: Client, editor: Headers
) -> None:
    interview = await thursday_interview(client, editor)
    await set_teaser(client, editor, interview, "The front-page teaser.", placement="frontpage")
    assert await teasers_shown(client) == everywhere(ANSWER, "The front-page teaser.")


async def test_the_seeds_teaser_fits_the_frontpage_placement_as_written(
    client: Client, editor: Headers
) -> None:
    interview = await thursday_interview(client, editor)
    updated = await set_teaser(
        client, editor, interview, SEED_FRONTPAGE_TEASER, placement="frontpage"
    )
    assert updated["teasers"] == {"frontpage": SEED_FRONTPAGE_TEASER}
    assert (await teasers_shown(client))["frontpage"] == SEED_FRONTPAGE_TEASER


@pytest.mark.parametrize(
    ("placement", "limit"),
    [("card", 1_600), ("frontpage", 1_600), ("social", 280), ("newsletter", 1_000)],
)
async def test_default_limits(client: Client, editor: Headers, placement: str, limit: int) -> None:
    interview = await thursday_interview(client, editor)
    teaser_url = f"/admin/v1/interviews/{interview['id']}/teasers/{placement}"
    response = await client.put(teaser_url, json={"text": "a" * (limit + 1)}, headers=editor)
    assert fields(problem(response, 422)) == ["text"]
    assert f"at most {limit} characters" in response.json()["detail"]
    await set_teaser(client, editor, interview, "a" * limit, placement=placement)


class TestLimitsAreSettings:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return msgspec.structs.replace(settings, frontpage_teaser_max=100, social_teaser_max=2_000)

    async def test_each_placement_takes_its_own_setting(
        self, client: Client, editor: Headers
    ) -> None:
        interview: Json = await thursday_interview(client, editor)
        front = f"/admin/v1/interviews/{interview['id']}/teasers/frontpage"
        response = await client.put(front, json={"text": "a" * 101}, headers=editor)
        assert fields(problem(response, 422)) == ["text"]
        await set_teaser(client, editor, interview, "a" * 100, placement="frontpage")
        await set_teaser(client, editor, interview, "b" * 2_000, placement="social")
        await set_teaser(client, editor, interview, "c" * 1_600)


def test_limits_are_read_from_the_environment() -> None:
    env = {"COLLOQUY_FRONTPAGE_TEASER_MAX": "900", "COLLOQUY_SOCIAL_TEASER_MAX": "200"}
    settings = Settings.from_env(env)
    assert (settings.frontpage_teaser_max, settings.social_teaser_max) == (900, 200)
    assert (settings.card_teaser_max, settings.newsletter_teaser_max) == (1_600, 1_000)
