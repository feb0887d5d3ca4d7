"""Every public response carries the keys of what it shows (Surrogate-Key, Cache-Tag) and what a
CDN may keep it for (Surrogate-Control, CDN-Cache-Control); cache hits carry the same."""

from uuid import uuid4

import msgspec
import pytest

from app.cdn.keys import ALL, MAX_HEADER_BYTES, key_headers
from app.settings import Settings
from tests.cdn import keys_of
from tests.factories import Client, Headers, Json, make_interview, make_person, make_series
from tests.helpers import publish

INTERVIEWS = "/content/v1/interviews"


def subjects(interview: Json) -> set[str]:
    """The keys of an interview as a card shows it: itself, its series and people."""
    people = {f"person:{p['person_id']}" for p in interview["participants"]}
    return {f"interview:{interview['id']}", f"series:{interview['series_id']}", *people}


@pytest.fixture
async def published(client: Client, editor: Headers, interview: Json) -> Json:
    response = await client.patch(
        f"/admin/v1/interviews/{interview['id']}",
        json={"tags": ["Art & Craft", "riga"]},
        headers={**editor, "If-Match": "*"},
    )
    assert response.status_code == 200, response.text
    return await publish(client, editor, response.json())


async def test_an_interview_page_carries_itself_its_series_people_and_tags(
    client: Client, published: Json
) -> None:
    response = await client.get(f"{INTERVIEWS}/{published['slug']}")
    tags = {"tag:Art%20%26%20Craft", "tag:riga"}  # its related interviews share them
    assert keys_of(response) == subjects(published) | tags


async def test_a_cache_hit_carries_the_keys_of_the_rendering(
    client: Client, published: Json
) -> None:
    first = await client.get(f"{INTERVIEWS}/{published['slug']}/card")
    again = await client.get(f"{INTERVIEWS}/{published['slug']}/card")
    assert keys_of(again) == keys_of(first) >= subjects(published)
    assert again.headers["surrogate-key"] == first.headers["surrogate-key"]


async def test_lists_carry_their_list_and_every_interview_they_show(
    client: Client, published: Json
) -> None:
    shown = subjects(published)
    assert keys_of(await client.get("/content/v1/frontpage")) >= {"frontpage", *shown}
    assert keys_of(await client.get("/feeds/all.rss")) == {"feed:all", *shown}
    assert keys_of(await client.get(INTERVIEWS)) == {"interviews", *shown}
    found = await client.get("/content/v1/search", params={"q": "visit"})
    assert keys_of(found) == {"search", *shown}
    assert "sitemaps" in keys_of(await client.get("/sitemaps/index.xml"))
    assert "people" in keys_of(await client.get("/content/v1/people"))
    assert "tags" in keys_of(await client.get("/content/v1/tags"))


async def test_a_subject_page_carries_its_subject_even_with_nothing_to_list(
    client: Client, editor: Headers, lauri: Json
) -> None:
    empty = await make_series(client, editor, title="Empty")
    page = await client.get(f"/content/v1/series/{empty['slug']}")
    feed = await client.get(f"/feeds/series/{empty['slug']}.rss")
    assert keys_of(page) == keys_of(feed) == {f"series:{empty['id']}"}


async def test_person_and_tag_pages_and_feeds_carry_their_subject(
    client: Client, published: Json, murad: Json
) -> None:
    for path in (f"/content/v1/people/{murad['slug']}", f"/feeds/people/{murad['slug']}.json"):
        assert keys_of(await client.get(path)) == subjects(published)
    for path in ("/content/v1/tags/riga", "/feeds/tags/riga.atom"):
        assert keys_of(await client.get(path)) == {"tag:riga", *subjects(published)}


async def test_an_unrelated_interview_does_not_carry_the_others_keys(
    client: Client, editor: Headers, published: Json
) -> None:
    other_series = await make_series(client, editor, title="Elsewhere")
    asker = await make_person(client, editor, "Ann")
    guest = await make_person(client, editor, "Bo")
    other = await publish(
        client, editor, await make_interview(client, editor, other_series, asker, guest)
    )
    keys = keys_of(await client.get(f"{INTERVIEWS}/{other['slug']}"))
    assert keys == subjects(other)
    assert not keys & subjects(published)


async def test_a_cdn_keeps_a_response_for_the_setting_and_a_browser_as_before(
    client: Client, published: Json
) -> None:
    for path in (f"{INTERVIEWS}/{published['slug']}", "/feeds/all.rss"):
        for response in [await client.get(path), await client.get(path)]:  # a miss, then a hit
            assert response.headers["surrogate-control"] == "max-age=86400"
            assert response.headers["cdn-cache-control"] == "max-age=86400"
            assert response.headers["cache-control"].startswith("public, max-age=60,")


async def test_what_moves_with_no_change_is_kept_by_a_cdn_no_longer_than_by_a_browser(
    client: Client, published: Json
) -> None:
    response = await client.get("/content/v1/frontpage")
    assert response.headers["surrogate-control"] == "max-age=60"
    assert response.headers["cache-control"].startswith("public, max-age=60,")


async def test_what_the_cache_does_not_keep_a_cdn_must_not_keep(client: Client) -> None:
    response = await client.get(f"{INTERVIEWS}/not-yet")
    assert response.status_code == 404
    assert response.headers["surrogate-control"] == "no-store"
    assert "surrogate-key" not in response.headers


class TestTheCdnLifetime:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return msgspec.structs.replace(settings, cdn_max_age=600)

    async def test_is_a_setting(self, client: Client, published: Json) -> None:
        response = await client.get(f"{INTERVIEWS}/{published['slug']}")
        assert response.headers["surrogate-control"] == "max-age=600"


def test_a_response_showing_more_than_a_header_holds_is_keyed_all_with_its_lists() -> None:
    many = {f"interview:{uuid4()}" for _ in range(MAX_HEADER_BYTES // 40)}
    headers = dict(key_headers("/content/v1/frontpage", many))
    assert headers[b"surrogate-key"] == f"{ALL} frontpage".encode()
    assert headers[b"cache-tag"] == f"{ALL},frontpage".encode()


def test_a_response_with_nothing_to_key_is_keyed_all() -> None:
    assert dict(key_headers(None, set()))[b"surrogate-key"] == ALL.encode()
