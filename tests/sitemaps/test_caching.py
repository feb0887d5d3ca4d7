"""Sitemaps are cached and conditional as the feeds are (app/cache.py): validators and 304, and
a content change drops what the cache holds of them."""

import pytest

from tests.factories import Client, Headers, Json, make_interview
from tests.helpers import publish
from tests.sitemaps import BASE, locs, valid

NAMES = ["index.xml", "interviews-1.xml", "series.xml", "people.xml", "news.xml"]


@pytest.mark.parametrize("name", NAMES)
async def test_a_sitemap_answers_its_validators_with_304(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json, name: str
) -> None:
    await publish(client, editor, await make_interview(client, editor, series, lauri, murad))
    path = f"/sitemaps/{name}"
    first = await client.get(path)
    valid(first)
    assert first.headers["cache-control"].startswith("public, max-age=")
    for header, value in (("If-None-Match", "etag"), ("If-Modified-Since", "last-modified")):
        again = await client.get(path, headers={header: first.headers[value]})
        assert again.status_code == 304, header
        assert again.content == b""
    assert (await client.get(path, headers={"If-None-Match": '"other"'})).status_code == 200


async def test_a_publication_drops_the_sitemaps_the_cache_holds(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json
) -> None:
    first = await make_interview(client, editor, series, lauri, murad)
    first = await publish(client, editor, first)
    before = {name: await client.get(f"/sitemaps/{name}") for name in NAMES}
    assert all(response.status_code == 200 for response in before.values())
    second = await make_interview(client, editor, series, lauri, murad, title="Second")
    second = await publish(client, editor, second)
    for name in ("interviews-1.xml", "news.xml"):
        response = await client.get(
            f"/sitemaps/{name}", headers={"If-None-Match": before[name].headers["etag"]}
        )
        assert set(locs(valid(response))) == {
            f"{BASE}/interviews/{interview['slug']}" for interview in (first, second)
        }
