"""Images in the feeds: each item's as an RSS enclosure and Media RSS with its size, and the site's
own (COLLOQUY_SITE_IMAGE) as the RSS channel image, the Atom logo and the JSON Feed icon."""

import asyncpg
import msgspec
import pytest

from app.settings import Settings
from tests.factories import Client, Headers
from tests.feeds import NS, get_feed, parsed, xml
from tests.feeds.test_feeds import check_json_feed
from tests.images import IMAGE, OLD_IMAGE, published_with, set_image

SITE_IMAGE = "https://news.example/static/logo.png"
SCOPES = ["all", "series/thursday-interview", "people/murad-muradov"]


@pytest.fixture(params=["site-image", "none"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    site_image = SITE_IMAGE if request.param == "site-image" else None
    return msgspec.structs.replace(settings, site_image=site_image)


@pytest.mark.parametrize("scope", SCOPES)
async def test_the_site_image_heads_every_feed_when_there_is_one(
    client: Client, editor: Headers, settings: Settings, scope: str
) -> None:
    await published_with(client, editor, IMAGE)
    rss = await get_feed(client, f"/feeds/{scope}.rss")
    atom = await get_feed(client, f"/feeds/{scope}.atom")
    document = (await get_feed(client, f"/feeds/{scope}.json")).json()
    check_json_feed(document)
    channel = xml(rss).find("channel")
    assert channel is not None
    images = channel.findall("image")
    logos = xml(atom).findall("atom:logo", NS)
    if settings.site_image is None:
        assert (images, logos) == ([], [])
        assert "icon" not in document and "favicon" not in document
        return
    (image,) = images
    reader = parsed(rss).feed
    assert [image.findtext(tag) for tag in ("url", "title", "link")] == [
        SITE_IMAGE,
        reader.title,
        reader.link,
    ]
    assert reader.image.href == SITE_IMAGE
    assert [logo.text for logo in logos] == [SITE_IMAGE]
    assert parsed(atom).feed.logo == SITE_IMAGE
    assert document["icon"] == SITE_IMAGE


async def test_an_empty_feed_has_the_site_image_too(client: Client, settings: Settings) -> None:
    rss = await get_feed(client, "/feeds/all.rss")
    assert parsed(rss).feed.get("image", {}).get("href") == settings.site_image


async def test_each_item_encloses_its_image_for_readers_without_media_rss(
    client: Client, editor: Headers
) -> None:
    await published_with(client, editor, IMAGE)
    rss = await get_feed(client, "/feeds/all.rss")
    (item,) = xml(rss).findall("channel/item")
    (enclosure,) = item.findall("enclosure")
    # Its length in bytes is not known: 0, as the RSS Advisory Board's profile says.
    assert enclosure.attrib == {"url": IMAGE["url"], "length": "0", "type": "image/jpeg"}
    (entry,) = parsed(rss).entries
    assert [(e.href, e.type) for e in entry.enclosures] == [(IMAGE["url"], "image/jpeg")]
    (media,) = item.findall("media:content", NS)
    assert (media.get("width"), media.get("height")) == ("2400", "1600")
    assert media.findtext("media:description", None, NS) == IMAGE["alt"]


async def test_an_item_without_an_image_encloses_nothing(client: Client, editor: Headers) -> None:
    await published_with(client, editor, None)
    rss = await get_feed(client, "/feeds/all.rss")
    assert xml(rss).findall("channel/item/enclosure") == []


async def test_the_enclosure_type_follows_the_extension(
    client: Client, editor: Headers, db: asyncpg.Connection
) -> None:
    """And an image stored without its size is enclosed all the same, with no size in Media RSS."""
    interview = await published_with(client, editor, None)
    await db.execute("UPDATE interviews SET image = $1 WHERE id = $2", OLD_IMAGE, interview["id"])
    rss = await get_feed(client, "/feeds/all.rss")
    (item,) = xml(rss).findall("channel/item")
    enclosure = item.find("enclosure")
    assert enclosure is not None
    assert (enclosure.get("url"), enclosure.get("type")) == (OLD_IMAGE["url"], "image/png")
    media = item.find("media:content", NS)
    assert media is not None
    assert (media.get("width"), media.get("height")) == (None, None)


async def test_a_decorative_image_is_given_no_description(client: Client, editor: Headers) -> None:
    interview = await published_with(client, editor, IMAGE)
    await set_image(client, editor, interview, {**IMAGE, "alt": "", "decorative": True})
    for ending in ("rss", "atom"):
        response = await get_feed(client, f"/feeds/all.{ending}")
        parsed(response)
        (media,) = xml(response).iter(f"{{{NS['media']}}}content")
        assert media.find("media:description", NS) is None
        assert media.get("url") == IMAGE["url"]
