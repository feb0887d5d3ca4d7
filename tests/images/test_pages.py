"""Cards, pages and their social `<meta>` with the sizes of their image, with an image service
(COLLOQUY_IMAGE_URL_TEMPLATE) and without."""

from urllib.parse import quote

import msgspec
import pytest

from app.settings import Settings
from tests.factories import Client, Headers, Json
from tests.images import IMAGE, published_with, set_image

CONTENT = "/content/v1"
TEMPLATE = "https://img.example/insecure/rs:fill:{width}:{height}/plain/{url}"
ENCODED = quote(str(IMAGE["url"]), safe="")


def sized(width: int, height: int) -> str:
    return f"https://img.example/insecure/rs:fill:{width}:{height}/plain/{ENCODED}"


@pytest.fixture(params=["template", "originals"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    template = TEMPLATE if request.param == "template" else None
    return msgspec.structs.replace(settings, image_url_template=template)


async def views(client: Client, slug: str) -> tuple[Json, Json]:
    """The page and the card fetched alone, after checking that every card of the interview
    carries the same image."""
    page = (await client.get(f"{CONTENT}/interviews/{slug}")).json()
    card = (await client.get(f"{CONTENT}/interviews/{slug}/card")).json()
    listed = (await client.get(f"{CONTENT}/interviews")).json()["items"]
    assert page["image"] == page["card"]["image"] == card["image"] == listed[0]["image"]
    return page, card


def meta(social: list[Json], key: str) -> list[str]:
    return [m["content"] for m in social if key in (m.get("property"), m.get("name"))]


async def test_srcset_of_the_card_and_page(
    client: Client, editor: Headers, settings: Settings
) -> None:
    interview = await published_with(client, editor, IMAGE)
    page, _ = await views(client, interview["slug"])
    srcset = [(c["url"], c["width"], c["height"]) for c in page["image"]["srcset"]]
    if settings.image_url_template:
        assert srcset == [
            (sized(320, 213), 320, 213),
            (sized(640, 427), 640, 427),
            (sized(960, 640), 960, 640),
            (sized(1280, 853), 1280, 853),
            (sized(1920, 1280), 1920, 1280),
        ]
    else:
        assert srcset == [(IMAGE["url"], 2400, 1600)]
    assert {key: page["image"][key] for key in IMAGE} == IMAGE, "the original, as it was given"


async def test_a_narrow_original_ends_its_srcset_at_its_own_width(
    client: Client, editor: Headers, settings: Settings
) -> None:
    interview = await published_with(client, editor, {**IMAGE, "width": 1000, "height": 500})
    page, _ = await views(client, interview["slug"])
    widths = [candidate["width"] for candidate in page["image"]["srcset"]]
    assert widths == ([320, 640, 960, 1000] if settings.image_url_template else [1000])


async def test_social_image_with_its_size_and_alt(
    client: Client, editor: Headers, settings: Settings
) -> None:
    interview = await published_with(client, editor, IMAGE)
    page, card = await views(client, interview["slug"])
    assert card["social"] == page["social"]
    social = page["social"]
    if settings.image_url_template:
        url, width, height = sized(1200, 630), "1200", "630"
    else:
        url, width, height = str(IMAGE["url"]), "2400", "1600"
    assert meta(social, "og:image") == meta(social, "twitter:image") == [url]
    assert meta(social, "og:image:width") == [width]
    assert meta(social, "og:image:height") == [height]
    assert meta(social, "og:image:alt") == meta(social, "twitter:image:alt") == [IMAGE["alt"]]
    properties = [m.get("property") for m in social]
    at = properties.index("og:image")
    assert properties[at : at + 4] == [
        "og:image",
        "og:image:width",
        "og:image:height",
        "og:image:alt",
    ]


async def test_a_decorative_image_is_given_no_alt_anywhere(
    client: Client, editor: Headers, settings: Settings
) -> None:
    interview = await published_with(client, editor, IMAGE)
    decorative = {**IMAGE, "alt": "", "decorative": True}
    await set_image(client, editor, interview, decorative)
    page, _ = await views(client, interview["slug"])
    assert (page["image"]["alt"], page["image"]["decorative"]) == ("", True)
    keys = {m.get("property") or m.get("name") for m in page["social"]}
    assert {"og:image", "twitter:image"} <= keys
    assert not {"og:image:alt", "twitter:image:alt"} & keys, "no alt is made up"
    assert "caption" not in page["json_ld"]["image"]


async def test_json_ld_image_has_its_size_caption_and_credit(
    client: Client, editor: Headers
) -> None:
    interview = await published_with(client, editor, {**IMAGE, "caption": "In Baku, 2026."})
    page, _ = await views(client, interview["slug"])
    assert page["json_ld"]["image"] == {
        "@type": "ImageObject",
        "url": IMAGE["url"],
        "caption": "In Baku, 2026.",
        "width": 2400,
        "height": 1600,
        "creditText": IMAGE["credit"],
    }
