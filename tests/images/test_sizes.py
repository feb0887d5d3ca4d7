"""The sizes of an image on offer (app/images.py), and the settings that say where they come from,
checked at start-up."""

import pytest

from app.images import media_type, social_image, srcset
from app.schemas import Image
from app.settings import ConfigurationError, Settings

IMGPROXY = "https://img.example/insecure/rs:fill:{width}:{height}/plain/{url}"
ORIGINAL = "https://photos.example/2026/murad.jpg?v=2&crop=no"
ENCODED = "https%3A%2F%2Fphotos.example%2F2026%2Fmurad.jpg%3Fv%3D2%26crop%3Dno"  # whole


def image(width: int | None, height: int | None, url: str = ORIGINAL) -> Image:
    return Image(url=url, alt="Murad Muradov", width=width, height=height)


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (4000, [320, 640, 960, 1280, 1920]),
        (1920, [320, 640, 960, 1280, 1920]),
        (1000, [320, 640, 960, 1000]),
        (960, [320, 640, 960]),
        (321, [320, 321]),
        (200, [200]),
    ],
)
def test_srcset_through_the_template_is_never_wider_than_the_original(
    width: int, expected: list[int]
) -> None:
    assert [rendition.width for rendition in srcset(image(width, width // 2), IMGPROXY)] == expected


def test_each_candidate_keeps_the_originals_proportions_and_its_url_encoded_whole() -> None:
    found = srcset(image(2400, 1600), IMGPROXY)
    assert [(r.width, r.height) for r in found] == [
        (320, 213),
        (640, 427),
        (960, 640),
        (1280, 853),
        (1920, 1280),
    ]
    assert found[0].url == f"https://img.example/insecure/rs:fill:320:213/plain/{ENCODED}"


def test_without_the_template_only_the_original() -> None:
    found = srcset(image(2400, 1600), None)
    assert [(r.url, r.width, r.height) for r in found] == [(ORIGINAL, 2400, 1600)]


@pytest.mark.parametrize("template", [IMGPROXY, None])
def test_an_image_stored_without_its_size_offers_no_srcset(template: str | None) -> None:
    assert srcset(image(None, None), template) == []


def test_the_social_image_is_1200_by_630_through_the_template() -> None:
    shown = social_image(image(800, 600), IMGPROXY)
    assert (shown.url, shown.width, shown.height) == (
        f"https://img.example/insecure/rs:fill:1200:630/plain/{ENCODED}",
        1200,
        630,
    )


def test_without_the_template_the_social_image_is_the_original_at_its_own_size() -> None:
    shown = social_image(image(800, 600), None)
    assert (shown.url, shown.width, shown.height) == (ORIGINAL, 800, 600)
    unknown = social_image(image(None, None), None)
    assert (unknown.width, unknown.height) == (None, None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://img.example/a.jpg", "image/jpeg"),
        ("https://img.example/a.JPEG?w=1", "image/jpeg"),
        ("https://img.example/a.png#x", "image/png"),
        ("https://img.example/a.webp", "image/webp"),
        ("https://img.example/a.avif", "image/avif"),
        ("https://img.example/a.gif", "image/gif"),
        ("https://img.example/a.svg", "image/svg+xml"),
        ("https://img.example/photo?format=png", "image/jpeg"),  # the path says nothing
        ("https://img.example/v1.2/photo", "image/jpeg"),
    ],
)
def test_media_type_from_the_extension_else_jpeg(url: str, expected: str) -> None:
    assert media_type(url) == expected


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("https://img.example/{url}/{w}x{height}", "{w} is not a placeholder"),
        ("https://img.example/{width}/{url}", "{height} is missing"),
        ("https://img.example/{width}x{height}", "{url} is missing"),
        ("/resize/{width}x{height}/{url}", "not an absolute http(s) URL"),
        ("{url}?w={width}&h={height}", "not an absolute http(s) URL"),
    ],
)
def test_a_wrong_image_url_template_stops_the_start(template: str, said: str) -> None:
    with pytest.raises(ConfigurationError, match="COLLOQUY_IMAGE_URL_TEMPLATE") as error:
        Settings.from_env({"COLLOQUY_IMAGE_URL_TEMPLATE": template})
    assert said in str(error.value)


@pytest.mark.parametrize(
    "template",
    [
        IMGPROXY,
        "https://thumbor.example/unsafe/{width}x{height}/smart/{url}",
        "https://res.cloudinary.com/demo/image/fetch/w_{width},h_{height},c_fill/{url}",
        "https://site.imgix.net/{url}?w={width}&h={height}&fit=crop",
    ],
)
def test_image_services_templates_are_taken(template: str) -> None:
    assert Settings.from_env({"COLLOQUY_IMAGE_URL_TEMPLATE": template}).image_url_template == (
        template
    )


@pytest.mark.parametrize("url", ["logo.png", "/logo.png", "ftp://site.example/logo.png"])
def test_the_site_image_must_be_an_absolute_url(url: str) -> None:
    with pytest.raises(ConfigurationError, match="COLLOQUY_SITE_IMAGE"):
        Settings.from_env({"COLLOQUY_SITE_IMAGE": url})


def test_neither_is_set_by_default() -> None:
    settings = Settings.from_env({})
    assert (settings.image_url_template, settings.site_image) == (None, None)
