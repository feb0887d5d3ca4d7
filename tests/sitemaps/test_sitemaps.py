"""Sitemaps: an index, the public interviews in pages, the series, the people and the Google News
sitemap, each valid against its schema, listing only what the public may see."""

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from app.main import create_app
from app.settings import Settings
from app.sitemaps import routes
from tests.conftest import MovableClock
from tests.factories import Client, Headers, Json, make_interview, make_person, make_series
from tests.helpers import acted, publish, schedule
from tests.sitemaps import BASE, NS, SITEMAP, lastmods, locs, sitemap
from tests.trash import trashed

IMAGE = {
    "url": "https://img.example/murad.jpg",
    "alt": "Murad Muradov at his desk in Baku",
    "width": 1600,
    "height": 1067,
}
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # the clock fixture's time
SITEMAPS = ["interviews-1.xml", "series.xml", "people.xml", "news.xml"]


def w3c(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def page(slug: str) -> str:
    return f"{BASE}/interviews/{slug}"


async def published(
    client: Client,
    editor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    title: str,
    **fields: object,
) -> Json:
    interview = await make_interview(client, editor, series, lauri, murad, title=title, **fields)
    return await publish(client, editor, interview)


async def empty(client: Client, name: str) -> None:
    """An empty sitemap: well-formed, in the sitemap namespace, with nothing in it (the schema
    asks for at least one <url>; crawlers take an empty one)."""
    response = await client.get(f"/sitemaps/{name}")
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP}}}urlset"
    assert len(root) == 0


async def test_each_sitemap_is_valid_against_its_schema(
    client: Client,
    editor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    clock: MovableClock,
) -> None:
    with_image = await published(client, editor, series, lauri, murad, "With a photo", image=IMAGE)
    clock.advance(minutes=1)
    plain = await published(client, editor, series, lauri, murad, "Without a photo")
    index = await sitemap(client, "index.xml")
    assert locs(index) == [f"{BASE}/sitemaps/{name}" for name in SITEMAPS]
    interviews = await sitemap(client, "interviews-1.xml")
    assert locs(interviews) == [page(with_image["slug"]), page(plain["slug"])]
    assert locs(await sitemap(client, "series.xml")) == [f"{BASE}/series/{series['slug']}"]
    assert locs(await sitemap(client, "people.xml")) == [
        f"{BASE}/people/{lauri['slug']}",
        f"{BASE}/people/{murad['slug']}",
    ]
    news = await sitemap(client, "news.xml")
    assert locs(news) == [page(plain["slug"]), page(with_image["slug"])], "newest first"


async def test_the_image_extension_only_for_an_interview_with_an_image(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json
) -> None:
    with_image = await published(client, editor, series, lauri, murad, "With a photo", image=IMAGE)
    plain = await published(client, editor, series, lauri, murad, "Without a photo")
    root = await sitemap(client, "interviews-1.xml")
    images = {
        str(url.findtext("s:loc", namespaces=NS)): url.findall("image:image/image:loc", NS)
        for url in root
    }
    assert [loc.text for loc in images[page(with_image["slug"])]] == [IMAGE["url"]]
    assert images[page(plain["slug"])] == []


async def test_interviews_are_paged_oldest_first(
    client: Client,
    editor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    clock: MovableClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    slugs = []
    for n in range(5):
        clock.advance(hours=1)
        interview = await published(client, editor, series, lauri, murad, f"Interview {n}")
        slugs.append(interview["slug"])
    pages = [locs(await sitemap(client, f"interviews-{n}.xml")) for n in (1, 2, 3)]
    assert pages == [[page(slug) for slug in slugs[i : i + 2]] for i in (0, 2, 4)]
    index = lastmods(await sitemap(client, "index.xml"))
    assert [loc for loc in index if "/interviews-" in loc] == [
        f"{BASE}/sitemaps/interviews-{n}.xml" for n in (1, 2, 3)
    ]
    for n, last in ((1, 2), (2, 4), (3, 5)):
        assert index[f"{BASE}/sitemaps/interviews-{n}.xml"] == w3c(START + timedelta(hours=last))


NOT_THERE = [
    "interviews-4.xml",
    "interviews-0.xml",
    "interviews-01.xml",
    "interviews.xml",
    "interviews-1.json",
    "interviews-x.xml",
    "interviews-٣.xml",  # an Arabic-Indic 3 is a digit to Python, not in a URL we make
    "all.xml",
    "interviews-1.xml%0A",  # a newline, which a regular expression's $ would let by
    "interviews-50001.xml",
    "interviews-99999999999999999999999.xml",  # past what PostgreSQL's OFFSET takes
]


@pytest.mark.parametrize("name", NOT_THERE)
async def test_a_sitemap_that_is_not_there_is_a_404(
    client: Client,
    editor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    for n in range(5):
        await published(client, editor, series, lauri, murad, f"Interview {n}")
    response = await client.get(f"/sitemaps/{name}")
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_with_nothing_public_the_index_still_lists_each_sitemap(client: Client) -> None:
    index = await sitemap(client, "index.xml")
    assert lastmods(index) == {f"{BASE}/sitemaps/{name}": None for name in SITEMAPS}
    for name in SITEMAPS:
        await empty(client, name)


async def test_lastmod_is_the_last_change_of_a_public_interview(
    client: Client,
    editor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    clock: MovableClock,
) -> None:
    first = await published(client, editor, series, lauri, murad, "First")
    clock.advance(hours=1)
    edited = await published(client, editor, series, lauri, murad, "Edited")
    clock.advance(hours=1)
    response = await client.patch(
        f"/admin/v1/interviews/{edited['id']}", json={"title": "Edited again"}, headers=editor
    )
    assert response.status_code == 200, response.text
    # Scheduled at 11:30 for 12:00: it changed for the public when it appeared.
    clock.advance(minutes=30)
    planned = await make_interview(client, editor, series, lauri, murad, title="Planned")
    planned = await schedule(client, editor, planned, START + timedelta(hours=3))
    clock.advance(hours=2)
    interviews = lastmods(await sitemap(client, "interviews-1.xml"))
    assert interviews == {
        page(first["slug"]): w3c(START),
        page(edited["slug"]): w3c(START + timedelta(hours=2)),
        page(planned["slug"]): w3c(START + timedelta(hours=3)),
    }
    index = lastmods(await sitemap(client, "index.xml"))
    assert index[f"{BASE}/sitemaps/interviews-1.xml"] == w3c(START + timedelta(hours=3))
    assert index[f"{BASE}/sitemaps/news.xml"] == w3c(START + timedelta(hours=3))


async def test_series_and_people_change_with_their_public_interviews(
    client: Client,
    editor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    clock: MovableClock,
) -> None:
    clock.advance(hours=1)
    draft = await make_interview(client, editor, series, lauri, murad, title="Draft")
    assert lastmods(await sitemap(client, "series.xml")) == {
        f"{BASE}/series/{series['slug']}": w3c(START)
    }
    await empty(client, "people.xml")  # nobody is in a public interview yet
    clock.advance(hours=1)
    await publish(client, editor, draft)
    assert lastmods(await sitemap(client, "series.xml")) == {
        f"{BASE}/series/{series['slug']}": w3c(START + timedelta(hours=2))
    }
    people = lastmods(await sitemap(client, "people.xml"))
    assert set(people.values()) == {w3c(START + timedelta(hours=2))}
    index = lastmods(await sitemap(client, "index.xml"))
    assert index[f"{BASE}/sitemaps/series.xml"] == w3c(START + timedelta(hours=2))
    assert index[f"{BASE}/sitemaps/people.xml"] == w3c(START + timedelta(hours=2))


async def test_news_lists_what_appeared_in_the_last_48_hours(
    client: Client,
    editor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    clock: MovableClock,
) -> None:
    older = await published(client, editor, series, lauri, murad, "Older")
    clock.advance(hours=24)
    newer = await published(client, editor, series, lauri, murad, "Newer")
    clock.advance(hours=23, minutes=59)
    news = await sitemap(client, "news.xml")
    assert locs(news) == [page(newer["slug"]), page(older["slug"])]
    item = news.find("s:url/news:news", NS)
    assert item is not None
    assert item.findtext("news:publication/news:name", namespaces=NS) == "Colloquy"
    assert item.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert item.findtext("news:publication_date", namespaces=NS) == w3c(START + timedelta(hours=24))
    assert item.findtext("news:title", namespaces=NS) == "Newer"
    # The cache holds news.xml as it was: it must not outlive the 48 hours of what it lists.
    clock.advance(minutes=2)
    assert locs(await sitemap(client, "news.xml")) == [page(newer["slug"])]
    clock.advance(hours=24)
    await empty(client, "news.xml")
    assert len(locs(await sitemap(client, "interviews-1.xml"))) == 2, "still on the site"


async def test_only_public_interviews_series_and_people_are_listed(
    client: Client,
    editor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    clock: MovableClock,
) -> None:
    shown = await published(client, editor, series, lauri, murad, "Shown")
    await make_interview(client, editor, series, lauri, murad, title="A draft")
    withdrawn = await published(client, editor, series, lauri, murad, "Withdrawn")
    await acted(client, editor, withdrawn, "withdraw")
    in_the_trash = await published(client, editor, series, lauri, murad, "In the trash")
    in_the_trash = await acted(client, editor, in_the_trash, "withdraw")
    await trashed(client, editor, "interviews", in_the_trash)
    planned = await make_interview(client, editor, series, lauri, murad, title="Planned")
    await schedule(client, editor, planned, START + timedelta(days=7))
    hidden = await make_series(client, editor, title="Hidden", visibility="hidden")
    unlisted = await make_series(client, editor, title="Unlisted", visibility="unlisted")
    gone = await make_series(client, editor, title="Gone")
    await trashed(client, editor, "series", gone)
    secret = await make_person(client, editor, "Secret Source")
    quiet = await make_person(client, editor, "Quiet Guest")
    await published(client, editor, hidden, lauri, secret, "In a hidden series")
    in_unlisted = await published(client, editor, unlisted, lauri, quiet, "In an unlisted series")

    public = {page(shown["slug"]), page(in_unlisted["slug"])}
    assert set(locs(await sitemap(client, "interviews-1.xml"))) == public
    assert set(locs(await sitemap(client, "news.xml"))) == public
    assert locs(await sitemap(client, "series.xml")) == [f"{BASE}/series/{series['slug']}"]
    people = locs(await sitemap(client, "people.xml"))
    assert people == [f"{BASE}/people/{p['slug']}" for p in (lauri, murad, quiet)]


async def test_titles_and_urls_are_escaped(
    client: Client, editor: Headers, series: Json, lauri: Json, murad: Json
) -> None:
    title = 'Q&A <live>: "Baku" & </news:title> ]]>'
    interview = await published(
        client,
        editor,
        series,
        lauri,
        murad,
        title,
        slug="söhbət-bakuda",
        image={"url": "https://img.example/a?w=1&h=2", "alt": "A", "width": 1, "height": 2},
    )
    news = await sitemap(client, "news.xml")
    assert news.findtext("s:url/news:news/news:title", namespaces=NS) == title
    assert locs(news) == [f"{BASE}/interviews/s%C3%B6hb%C9%99t-bakuda"]
    assert interview["slug"] == "söhbət-bakuda"
    interviews = await sitemap(client, "interviews-1.xml")
    assert interviews.findtext("s:url/image:image/image:loc", namespaces=NS) == (
        "https://img.example/a?w=1&h=2"
    )


def test_the_openapi_document_gives_each_sitemap_as_xml() -> None:
    app = create_app(Settings(database_url="postgresql://unused", base_url=BASE)).app
    paths = app.openapi_schema.to_schema()["paths"]
    sitemaps = {path: item["get"] for path, item in paths.items() if path.startswith("/sitemaps/")}
    assert set(sitemaps) == {f"/sitemaps/{name}" for name in (*SITEMAPS[1:], "index.xml", "{file}")}
    for operation in sitemaps.values():
        assert set(operation["responses"]["200"]["content"]) == {"application/xml"}
        assert operation["tags"] == ["sitemaps"]
    file = next(p for p in sitemaps["/sitemaps/{file}"]["parameters"] if p.get("name") == "file")
    assert file["schema"]["pattern"] == routes.INTERVIEW_PAGE
