"""HTTP caching of public GETs: validators, conditional requests, codings, freshness.

Everything here goes through the response cache in front of routing, as a reader, a CDN or a
feed reader would see it.
"""

import asyncio
import gzip
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import parsedate_to_datetime

import asyncpg
import brotli
import httpx
import pytest

from app.cache import PublicCache
from app.main import create_app
from app.settings import Settings
from tests.cache import get
from tests.conftest import MovableClock
from tests.factories import Client, Json, make_interview, make_person, make_series
from tests.helpers import publish

SLUG = "thursday-interview-murad-muradov"
TITLE = "Thursday Interview: Murad Muradov"
TEASER = (
    "We start the series with Murad Muradov, who leads a think tank in Baku and has spent "
    "the last decade explaining the South Caucasus to European audiences. He talks about "
    "his first visit to Brussels, what surprised him there, and why he still believes that "
    "small states can shape the conversations of larger ones."
)
PATHS = [
    "/feeds/all.rss",
    "/feeds/all.atom",
    "/feeds/all.json",
    "/feeds/series/thursday-interview.atom",
    "/feeds/people/lauri-nikulainen.rss",
    "/content/v1/frontpage",
    f"/content/v1/interviews/{SLUG}/card",
    f"/content/v1/interviews/{SLUG}",
]
# Where a newly published interview of the series shows up.
LISTINGS = [path for path in PATHS if "/interviews/" not in path]
STRONG_ETAG = re.compile(r'^"[\x21\x23-\x7e]+"$')
CACHE_CONTROL = re.compile(r"^public, max-age=(\d+), stale-while-revalidate=30$")
NINE = "Thu, 26 Nov 2026 09:00:00 GMT"  # the clock's start, when everything is published


async def get_raw(client: Client, path: str, accept_encoding: str) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent, still content-coded."""
    async with client.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


def max_age(response: httpx.Response) -> int:
    match = CACHE_CONTROL.match(response.headers["cache-control"])
    assert match, response.headers["cache-control"]
    return int(match.group(1))


async def eventually(client: Client, path: str, text: str) -> httpx.Response:
    """GET `path` until its body holds `text` (a change notice may take a moment), up to ~2 s."""
    for _ in range(40):
        response = await get(client, path)
        assert response.status_code == 200, response.text
        if text in response.text:
            return response
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} did not show {text!r} within 2 s")


class World:
    def __init__(self, series: Json, lauri: Json, murad: Json, interview: Json) -> None:
        self.series = series
        self.lauri = lauri
        self.murad = murad
        self.interview = interview


@pytest.fixture
async def world(
    client: Client, editor: dict[str, str], series: Json, lauri: Json, murad: Json
) -> World:
    interview = await make_interview(client, editor, series, lauri, murad, tags=["Azerbaijan"])
    response = await client.put(
        f"/admin/v1/interviews/{interview['id']}/teasers/card",
        json={"text": TEASER},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    return World(series, lauri, murad, await publish(client, editor, interview))


async def another_interview(client: Client, editor: dict[str, str], world: World) -> Json:
    guest = await make_person(client, editor, "Anna Kask")
    return await make_interview(
        client, editor, world.series, world.lauri, guest, title="Thursday Interview: Anna Kask"
    )


# Validators ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
async def test_every_200_has_validators_and_cache_headers(
    client: Client, world: World, clock: MovableClock, path: str
) -> None:
    for coding in ("identity", "gzip", "br"):
        response = await get(client, path, {"Accept-Encoding": coding})
        assert response.status_code == 200, response.text
        etag = response.headers["etag"]
        assert STRONG_ETAG.match(etag), f"a strong ETag: {etag}"
        last_modified = response.headers["last-modified"]
        assert last_modified.endswith(" GMT")
        assert parsedate_to_datetime(last_modified) == clock.now()
        assert max_age(response) <= 60
        vary = [value.strip().lower() for value in response.headers["vary"].split(",")]
        assert "accept-encoding" in vary
    again = await get(client, path)
    assert int(again.headers["content-length"]) == len(again.content)


@pytest.mark.parametrize("path", PATHS)
async def test_if_none_match_gives_304(client: Client, world: World, path: str) -> None:
    first = await get(client, path)
    etag = first.headers["etag"]
    for if_none_match in (etag, f"W/{etag}", f'"other", {etag}', f'W/"other",W/{etag}', "*"):
        for method in ("GET", "HEAD"):
            response = await get(client, path, {"If-None-Match": if_none_match}, method)
            assert response.status_code == 304, (if_none_match, method)
            assert response.content == b""
            assert response.headers["etag"] == etag
            assert response.headers["cache-control"] == first.headers["cache-control"]
            assert response.headers["vary"] == first.headers["vary"]
            assert "content-encoding" not in response.headers


@pytest.mark.parametrize("path", PATHS)
async def test_if_none_match_takes_precedence_over_if_modified_since(
    client: Client, world: World, path: str
) -> None:
    first = await get(client, path)
    assert (await get(client, path, {"If-Modified-Since": NINE})).status_code == 304
    response = await get(client, path, {"If-None-Match": '"other"', "If-Modified-Since": NINE})
    assert response.status_code == 200
    assert response.content == first.content


@pytest.mark.parametrize(
    ("since", "status"),
    [
        pytest.param(NINE, 304, id="imf-equal"),
        pytest.param("Thu, 26 Nov 2026 09:00:01 GMT", 304, id="imf-after"),
        pytest.param("Thu, 26 Nov 2026 08:59:59 GMT", 200, id="imf-before"),
        pytest.param("Thursday, 26-Nov-26 09:00:00 GMT", 304, id="rfc850-equal"),
        pytest.param("Friday, 27-Nov-26 10:00:00 GMT", 304, id="rfc850-after"),
        pytest.param("Wednesday, 25-Nov-26 23:00:00 GMT", 200, id="rfc850-before"),
    ],
)
@pytest.mark.parametrize("path", PATHS)
async def test_if_modified_since_compares_dates(
    client: Client, world: World, path: str, since: str, status: int
) -> None:
    first = await get(client, path)
    assert first.headers["last-modified"] == NINE
    response = await get(client, path, {"If-Modified-Since": since})
    assert response.status_code == status
    assert response.headers["etag"] == first.headers["etag"]
    assert response.content == (b"" if status == 304 else first.content)


@pytest.mark.parametrize(
    ("since", "status"),
    [
        pytest.param("Thu Nov 26 09:00:00 2026", 304, id="equal"),
        pytest.param("Fri Nov 27 10:00:00 2026", 304, id="after"),
        pytest.param("Thu Nov 26 08:00:00 2026", 200, id="before"),
    ],
)
@pytest.mark.parametrize("path", ["/feeds/all.atom", f"/content/v1/interviews/{SLUG}/card"])
async def test_if_modified_since_accepts_asctime(
    client: Client, world: World, path: str, since: str, status: int
) -> None:
    """RFC 9110 section 5.6.7: a recipient MUST accept all three HTTP-date formats; the
    obsolete asctime one has no zone and is read as GMT."""
    first = await get(client, path)
    assert first.headers["last-modified"] == NINE
    response = await get(client, path, {"If-Modified-Since": since})
    assert response.status_code == status
    assert response.content == (b"" if status == 304 else first.content)


GARBAGE_INM = ["garbage", '"', '"unterminated', "W/", ",", ", ,", '""', "W/garbage", "\u00ff"]
GARBAGE_IMS = [
    "yesterday",
    "",
    "0",
    "Thu, 99 Nov 2026 09:00:00 GMT",
    "Thu, 26 Nov 2026 25:61:00 GMT",
    "Thu, 26 Foo 2026 09:00:00 GMT",
    "Thu, 26 Nov 99999 09:00:00 GMT",
    "Thu, 26 Nov 2026 09:00:00 +9999",
    "Thu, 26 Nov 2026 09:00:00 -2400",
    "Thu, 26 Nov 2026 09:00:00",
    "2026-11-26T09:00:00Z",
    "\u00ff\u00fe",
]


@pytest.mark.parametrize("path", PATHS)
async def test_garbage_validators_are_ignored(client: Client, world: World, path: str) -> None:
    first = await get(client, path)
    for value in GARBAGE_INM:
        response = await client.get(
            path,
            headers=[
                (b"Accept-Encoding", b"identity"),
                (b"If-None-Match", value.encode("latin-1")),
            ],
        )
        assert response.status_code == 200, f"If-None-Match: {value!r}"
        assert response.content == first.content
    for value in GARBAGE_IMS:
        response = await client.get(
            path,
            headers=[
                (b"Accept-Encoding", b"identity"),
                (b"If-Modified-Since", value.encode("latin-1")),
            ],
        )
        assert response.status_code == 200, f"If-Modified-Since: {value!r}"
        assert response.content == first.content


# HEAD and content codings -------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
async def test_head_has_the_headers_of_get_and_no_body(
    app: PublicCache, client: Client, world: World, path: str
) -> None:
    for coding in ("identity", "gzip", "br"):
        app.freshness.bump()  # nothing held is fresh: HEAD is the first request to render
        cold = await get(client, path, {"Accept-Encoding": coding}, "HEAD")
        assert cold.status_code == 200
        assert cold.content == b""
        with_get, raw = await get_raw(client, path, coding)
        assert headers(cold) == headers(with_get), "HEAD before any GET"
        assert int(cold.headers["content-length"]) == len(raw)
        warm = await get(client, path, {"Accept-Encoding": coding}, "HEAD")
        assert warm.content == b""
        assert headers(warm) == headers(with_get), "HEAD after a GET"


def headers(response: httpx.Response) -> dict[str, str]:
    """The response's headers but its request id, which is each request's own."""
    return {k: v for k, v in response.headers.items() if k != "x-request-id"}


async def test_head_of_a_missing_interview_is_404_without_body(
    client: Client, world: World
) -> None:
    for path in ("/content/v1/interviews/nobody/card", "/feeds/people/nobody.rss"):
        response = await get(client, path, method="HEAD")
        assert response.status_code == 404
        assert response.content == b""


@pytest.mark.parametrize("coding", ["gzip", "br"])
@pytest.mark.parametrize("path", PATHS)
async def test_compressed_body_decodes_to_the_identity_body(
    client: Client, world: World, path: str, coding: str
) -> None:
    identity = await get(client, path)
    assert len(identity.content) > 512, "large enough to be compressed"
    response, raw = await get_raw(client, path, coding)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == coding
    assert int(response.headers["content-length"]) == len(raw)
    decoded = gzip.decompress(raw) if coding == "gzip" else brotli.decompress(raw)
    assert decoded == identity.content
    assert "accept-encoding" in response.headers["vary"].lower()
    # Another representation, so another strong validator, and it validates itself.
    etag = response.headers["etag"]
    assert STRONG_ETAG.match(etag)
    assert etag != identity.headers["etag"]
    assert response.headers["last-modified"] == identity.headers["last-modified"]
    again = await get(client, path, {"Accept-Encoding": coding, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    # httpx decodes on its own: the decoded body is the identity body too.
    assert (await client.get(path, headers={"Accept-Encoding": coding})).content == identity.content


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [
        ("gzip, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0", None),
        ("gzip; q=0.5", "gzip"),
        ("GZIP", "gzip"),
        ("identity", None),
        ("compress, deflate", None),
        ("", None),
    ],
)
async def test_content_coding_negotiation(
    client: Client, world: World, accept_encoding: str, coding: str | None
) -> None:
    identity = await get(client, "/feeds/all.atom")
    response, raw = await get_raw(client, "/feeds/all.atom", accept_encoding)
    assert response.headers.get("content-encoding") == coding
    if coding is None:
        assert raw == identity.content
        assert response.headers["etag"] == identity.headers["etag"]


async def test_a_small_response_is_sent_as_it_is(client: Client) -> None:
    identity = await get(client, "/feeds/all.json")  # an empty feed: a few hundred bytes
    for coding in ("gzip", "br"):
        response, raw = await get_raw(client, "/feeds/all.json", coding)
        encoding = response.headers.get("content-encoding")
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "br":
            raw = brotli.decompress(raw)
        assert raw == identity.content


# Freshness ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
async def test_max_age_never_reaches_past_the_next_publication(
    client: Client, world: World, editor: dict[str, str], clock: MovableClock, path: str
) -> None:
    assert max_age(await get(client, path)) <= 60
    upcoming = await another_interview(client, editor, world)
    response = await client.post(
        f"/admin/v1/interviews/{upcoming['id']}/schedule",
        json={"publish_at": "2026-11-26T09:00:20Z", "confirm": True},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    assert max_age(await get(client, path)) <= 20
    clock.advance(seconds=15)
    assert max_age(await get(client, path)) <= 5
    clock.advance(seconds=10)  # 09:00:25, published
    after = await get(client, path)
    assert max_age(after) <= 60
    if path in LISTINGS:
        assert "Anna Kask" in after.text


async def test_max_age_follows_a_schedule_written_in_the_database(
    client: Client,
    world: World,
    editor: dict[str, str],
    db: asyncpg.Connection,
    clock: MovableClock,
) -> None:
    upcoming = await another_interview(client, editor, world)
    path = "/feeds/all.atom"
    assert max_age(await get(client, path)) == 60
    await db.execute(
        "UPDATE interviews SET status = 'scheduled', publish_at = $2 WHERE id = $1::uuid",
        upcoming["id"],
        clock.now() + timedelta(seconds=20),
    )
    for _ in range(40):
        if max_age(await get(client, path)) <= 20:
            break
        await asyncio.sleep(0.05)
    assert max_age(await get(client, path)) <= 20


@pytest.mark.parametrize("path", PATHS)
async def test_an_admin_write_shows_at_once_with_a_new_etag(
    client: Client, world: World, editor: dict[str, str], clock: MovableClock, path: str
) -> None:
    before = await get(client, path)
    assert TITLE in before.text
    clock.advance(minutes=1)
    response = await client.patch(
        f"/admin/v1/interviews/{world.interview['id']}",
        json={"title": "Renamed: Murad Muradov"},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    after = await get(client, path)
    assert after.status_code == 200
    assert "Renamed: Murad Muradov" in after.text
    assert TITLE not in after.text
    assert after.headers["etag"] != before.headers["etag"]
    assert parsedate_to_datetime(after.headers["last-modified"]) == clock.now()
    stale = await get(client, path, {"If-None-Match": before.headers["etag"]})
    assert stale.status_code == 200, "the old ETag no longer matches"
    since = await get(client, path, {"If-Modified-Since": before.headers["last-modified"]})
    assert since.status_code == 200, "modified after the old Last-Modified"


@pytest.mark.parametrize("path", PATHS)
async def test_teaser_and_person_edits_show_at_once(
    client: Client, world: World, editor: dict[str, str], path: str
) -> None:
    before = await get(client, path)
    response = await client.patch(
        f"/admin/v1/people/{world.lauri['id']}", json={"name": "Lauri N. Renamed"}, headers=editor
    )
    assert response.status_code == 200, response.text
    after = await get(client, path)
    assert "Lauri N. Renamed" in after.text
    assert after.headers["etag"] != before.headers["etag"]
    if path.endswith("/card") or "/feeds/" in path or path.endswith("frontpage"):
        response = await client.put(
            f"/admin/v1/interviews/{world.interview['id']}/teasers/card",
            json={"text": "A new teaser for the card."},
            headers=editor,
        )
        assert response.status_code == 200, response.text
        assert "A new teaser for the card." in (await get(client, path)).text


async def test_withdrawal_shows_at_once(
    client: Client, world: World, editor: dict[str, str]
) -> None:
    for path in PATHS:
        assert (await get(client, path)).status_code == 200
    response = await client.post(
        f"/admin/v1/interviews/{world.interview['id']}/withdraw", headers=editor
    )
    assert response.status_code == 200, response.text
    for path in LISTINGS:
        if "/people/" in path:
            assert (await get(client, path)).status_code == 404, path
        else:
            assert TITLE not in (await get(client, path)).text, path
    for path in (f"/content/v1/interviews/{SLUG}/card", f"/content/v1/interviews/{SLUG}"):
        assert (await get(client, path)).status_code == 410, path


async def test_a_scheduled_interview_appears_when_its_time_comes(
    client: Client, world: World, editor: dict[str, str], clock: MovableClock
) -> None:
    upcoming = await another_interview(client, editor, world)
    response = await client.post(
        f"/admin/v1/interviews/{upcoming['id']}/schedule",
        json={"publish_at": "2026-11-26T10:00:00Z", "confirm": True},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    card = f"/content/v1/interviews/{upcoming['slug']}/card"
    before = {path: await get(client, path) for path in LISTINGS}
    for path, response in before.items():
        assert "Anna Kask" not in response.text, path
    assert (await get(client, card)).status_code == 404
    clock.advance(minutes=59)
    for path in LISTINGS:
        assert (await get(client, path)).headers["etag"] == before[path].headers["etag"]
    clock.advance(minutes=2)
    for path in LISTINGS:
        response = await get(client, path)
        assert "Anna Kask" in response.text, path
        assert response.headers["etag"] != before[path].headers["etag"]
    assert (await get(client, card)).status_code == 200


@pytest.mark.parametrize("path", PATHS)
async def test_a_database_write_shows_once_its_notice_arrives(
    client: Client, world: World, db: asyncpg.Connection, path: str
) -> None:
    before = await get(client, path)
    assert TITLE in before.text
    await db.execute(
        "UPDATE interviews SET title = 'Changed in SQL' WHERE id = $1::uuid", world.interview["id"]
    )
    after = await eventually(client, path, "Changed in SQL")
    assert after.headers["etag"] != before.headers["etag"]
    await db.execute(
        "UPDATE people SET name = 'Murad Renamed' WHERE id = $1::uuid", world.murad["id"]
    )
    latest = await eventually(client, path, "Murad Renamed")
    assert latest.headers["etag"] != after.headers["etag"]


@pytest.mark.parametrize("path", PATHS)
async def test_etag_stays_while_content_stays(
    client: Client, world: World, editor: dict[str, str], clock: MovableClock, path: str
) -> None:
    first = await get(client, path)
    second = await get(client, path)
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["last-modified"] == first.headers["last-modified"]
    assert second.content == first.content
    # Rendered again, for the front page's minute is up and an unrelated draft was written;
    # the content is the same, and so are its validators.
    clock.advance(minutes=5)
    await another_interview(client, editor, world)
    third = await get(client, path)
    assert third.content == first.content
    assert third.headers["etag"] == first.headers["etag"]
    assert third.headers["last-modified"] == first.headers["last-modified"]
    gzip_first, _ = await get_raw(client, path, "gzip")
    gzip_second, _ = await get_raw(client, path, "gzip")
    assert gzip_first.headers["etag"] == gzip_second.headers["etag"]


@pytest.mark.parametrize("ending", ["rss", "atom", "json"])
async def test_empty_feed_etag_stays_as_time_passes(
    client: Client, editor: dict[str, str], clock: MovableClock, ending: str
) -> None:
    """A feed with no items changes only when an item comes: not when the clock moves on."""
    await make_series(client, editor, title="Quiet Series")
    busy = await make_series(client, editor, title="Busy Series")
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    upcoming = await make_interview(client, editor, busy, lauri, murad)
    response = await client.post(
        f"/admin/v1/interviews/{upcoming['id']}/schedule",
        json={"publish_at": "2026-11-26T09:05:00Z", "confirm": True},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    path = f"/feeds/series/quiet-series.{ending}"
    before = await get(client, path)
    clock.advance(minutes=10)  # the busy series' interview is out; the cache renders again
    after = await get(client, path)
    assert after.headers["etag"] == before.headers["etag"], (before.text, after.text)
    assert after.headers["last-modified"] == before.headers["last-modified"]


# Without change notices, nothing is served from the cache -----------------------------------


@pytest.fixture
async def deaf_client(
    settings: Settings, pool: asyncpg.Pool, clock: MovableClock, db: asyncpg.Connection
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its change listener never started."""
    app = create_app(settings, pool=pool, clock=clock)
    assert not app.state.freshness.listening
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_without_change_notices_every_get_is_fresh(
    deaf_client: Client, editor: dict[str, str], db: asyncpg.Connection
) -> None:
    series = await make_series(deaf_client, editor)
    lauri = await make_person(deaf_client, editor, "Lauri Nikulainen")
    murad = await make_person(deaf_client, editor, "Murad Muradov")
    interview = await publish(
        deaf_client, editor, await make_interview(deaf_client, editor, series, lauri, murad)
    )
    assert TITLE in (await get(deaf_client, "/feeds/all.atom")).text
    await db.execute(
        "UPDATE interviews SET title = 'Changed in SQL' WHERE id = $1::uuid", interview["id"]
    )
    response = await get(deaf_client, "/feeds/all.atom")
    assert "Changed in SQL" in response.text
    assert STRONG_ETAG.match(response.headers["etag"])
