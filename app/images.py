"""The URLs of an image at the sizes frontends ask for, through an image service.

COLLOQUY_IMAGE_URL_TEMPLATE is an absolute URL of an image service (imgproxy, thumbor,
Cloudinary, imgix) with `{url}`, `{width}` and `{height}` in it: `{url}` becomes the original's
URL percent-encoded whole (`/`, `?`, `&` and `#` too, so that the original's query stays its
own), `{width}` and `{height}` whole pixels. With it, a srcset offers the sizes in `SRCSET_WIDTHS`
that the original has the pixels for, and the social card asks for 1200 x 630; without it, there
is only the original, at the size it was given. The service is asked for the height that keeps
the original's proportions, except for the social card, which it crops (how it crops, and
whether it may enlarge, is the template's to say).
"""

import re
from urllib.parse import quote, urlsplit

import msgspec

from app.schemas import Image

PLACEHOLDERS = ("url", "width", "height")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# The widths a srcset offers: phones at 1x and 2x, tablets, laptops and wide screens.
SRCSET_WIDTHS = (320, 640, 960, 1280, 1920)
# What Facebook, LinkedIn and X show a link's image at (1.91:1).
SOCIAL_WIDTH, SOCIAL_HEIGHT = 1200, 630
MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "svg": "image/svg+xml",
}
# A URL without a known extension (an image service's, say) is most likely a photograph.
FALLBACK_MEDIA_TYPE = "image/jpeg"


class Rendition(msgspec.Struct, frozen=True, kw_only=True):
    """An image at one size: where to get it, and its size in pixels where it is known."""

    url: str
    width: int | None
    height: int | None


def check_template(template: str) -> None:
    """Raise ValueError, naming the setting, unless `template` is an absolute http(s) URL with
    each of `{url}`, `{width}` and `{height}` in it and no other placeholder."""
    names = _PLACEHOLDER.findall(template)
    unknown = sorted(set(names) - set(PLACEHOLDERS))
    missing = [name for name in PLACEHOLDERS if name not in names]
    url = urlsplit(_fill(template, dict.fromkeys(PLACEHOLDERS, "1")))
    if unknown:
        problem = f"{{{unknown[0]}}} is not a placeholder"
    elif missing:
        problem = f"{{{missing[0]}}} is missing"
    elif url.scheme not in ("http", "https") or not url.netloc:
        problem = "it is not an absolute http(s) URL"
    else:
        return
    raise ValueError(
        f"COLLOQUY_IMAGE_URL_TEMPLATE={template!r}: {problem}; it must be an absolute http(s) URL "
        "with {url}, {width} and {height} in it and no other placeholder, e.g. "
        "https://img.example/insecure/rs:fill:{width}:{height}/plain/{url}, or unset it to serve "
        "the originals only"
    )


def _fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), template)


def sized_url(template: str, url: str, width: int, height: int) -> str:
    """The image service's URL for the image at `url`, `width` x `height` pixels."""
    values = {"url": quote(url, safe=""), "width": str(width), "height": str(height)}
    return _fill(template, values)


def srcset(image: Image, template: str | None) -> list[Rendition]:
    """The sizes to offer in `<img srcset>`, narrowest first. Through the template, each width of
    `SRCSET_WIDTHS` narrower than the original, then the original's own width (capped at the
    widest); without it, the original alone. None for an image stored without its size: what it
    has the pixels for cannot be told."""
    if image.width is None or image.height is None:
        return []
    if template is None:
        return [Rendition(url=image.url, width=image.width, height=image.height)]
    widest = min(image.width, SRCSET_WIDTHS[-1])
    widths = [width for width in SRCSET_WIDTHS if width < widest] + [widest]
    return [_scaled(template, image, width) for width in widths]


def _scaled(template: str, image: Image, width: int) -> Rendition:
    assert image.width is not None and image.height is not None
    height = max(1, round(width * image.height / image.width))
    return Rendition(url=sized_url(template, image.url, width, height), width=width, height=height)


def social_image(image: Image, template: str | None) -> Rendition:
    """The image of a social card: 1200 x 630 through the template, else the original at the size
    it was given (if any)."""
    if template is None:
        return Rendition(url=image.url, width=image.width, height=image.height)
    url = sized_url(template, image.url, SOCIAL_WIDTH, SOCIAL_HEIGHT)
    return Rendition(url=url, width=SOCIAL_WIDTH, height=SOCIAL_HEIGHT)


def media_type(url: str) -> str:
    """The media type that the extension of `url`'s path says, else `FALLBACK_MEDIA_TYPE`."""
    _, dot, extension = urlsplit(url).path.rpartition(".")
    return MEDIA_TYPES.get(extension.lower(), FALLBACK_MEDIA_TYPE) if dot else FALLBACK_MEDIA_TYPE
