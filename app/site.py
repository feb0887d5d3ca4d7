"""Canonical URLs on the public site, which the frontend serves: pages, cards, feeds, webhooks
and the calendar all link to the same places."""

from urllib.parse import quote

import msgspec

from app.settings import Settings


class FeedLinks(msgspec.Struct, kw_only=True):
    """The `<link rel="alternate">` targets of a page's feeds."""

    rss: str
    atom: str
    json: str


class Site:
    """Where the site is, and its name and language (COLLOQUY_SITE_TITLE, _SITE_LANGUAGE), which
    social cards and newsletters carry, its own image for feeds (_SITE_IMAGE) and the image
    service that sizes images (_IMAGE_URL_TEMPLATE); the defaults are the settings' own."""

    def __init__(
        self,
        base_url: str,
        *,
        title: str = "Colloquy",
        language: str = "en",
        image: str | None = None,
        image_url_template: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.title = title
        self.language = language
        self.image = image
        self.image_url_template = image_url_template

    @classmethod
    def of(cls, settings: Settings) -> "Site":
        return cls(
            settings.base_url,
            title=settings.site_title,
            language=settings.site_language,
            image=settings.site_image,
            image_url_template=settings.image_url_template,
        )

    def interview(self, slug: str) -> str:
        return f"{self.base_url}/interviews/{slug}"

    def series(self, slug: str) -> str:
        return f"{self.base_url}/series/{slug}"

    def person(self, slug: str) -> str:
        return f"{self.base_url}/people/{slug}"

    def tag(self, tag: str) -> str:
        return f"{self.base_url}/{tag_scope(tag)}"

    def feed(self, scope: str, ending: str) -> str:
        """The feed of `scope` (`all`, `series/{slug}`, `people/{slug}` or a `tag_scope`) in the
        format its `ending` (`rss`, `atom` or `json`) names."""
        return f"{self.base_url}/feeds/{scope}.{ending}"

    def feeds(self, scope: str = "all") -> FeedLinks:
        rss, atom, json = (self.feed(scope, ending) for ending in ("rss", "atom", "json"))
        return FeedLinks(rss=rss, atom=atom, json=json)


def tag_scope(tag: str) -> str:
    """`tags/{tag}`, the tag percent-encoded whole: a tag may hold spaces, `/`, `?` or `#`."""
    return f"tags/{quote(tag, safe='')}"
