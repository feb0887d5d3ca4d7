"""A series is public, unlisted or hidden; a new one starts hidden.

Before, a series was public the moment it was created: one prepared under embargo
("Unannounced Project X", with its description) showed at once in /content/v1/series, in a
front-page section and in its own feed.
"""

from datetime import datetime, timedelta

import asyncpg
import msgspec
import pytest

from app.demo import load_demo
from app.events.dispatch import dispatch_due
from app.settings import Settings
from app.site import Site
from tests.conftest import MovableClock
from tests.events import subscribe
from tests.factories import Client, Headers, Json, make_interview, make_person, make_series
from tests.helpers import publish, schedule

SECRET = "Unannounced Project X"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_allow_private=True)


async def series_update(client: Client, headers: Headers, series: Json, **fields: str) -> Json:
    response = await client.patch(f"/admin/v1/series/{series['id']}", json=fields, headers=headers)
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


async def public_text(client: Client, series: Json, interview: Json) -> str:
    """Everything the public routes say that could name the series or its interview."""
    slug = series["slug"]
    paths = [
        "/content/v1/series",
        "/content/v1/frontpage",
        "/content/v1/interviews",
        f"/content/v1/interviews?series={slug}",
        f"/content/v1/series/{slug}",
        f"/content/v1/interviews/{interview['slug']}",
        f"/content/v1/interviews/{interview['slug']}/card",
        "/content/v1/people/murad-muradov",
        "/feeds/all.rss",
        "/feeds/all.json",
        f"/feeds/series/{slug}.atom",
        "/feeds/people/murad-muradov.json",
    ]
    return "\n".join([(await client.get(path)).text for path in paths])


@pytest.fixture
async def secret_series(client: Client, editor: Headers) -> Json:
    response = await client.post(
        "/admin/v1/series",
        json={"title": SECRET, "description": "Under embargo until the launch."},
        headers=editor,
    )
    assert response.status_code == 201, response.text
    series: Json = response.json()
    assert series["visibility"] == "hidden", "a new series starts hidden"
    return series


@pytest.fixture
async def secret_interview(client: Client, editor: Headers, secret_series: Json) -> Json:
    host = await make_person(client, editor, "Lauri Nikulainen")
    guest = await make_person(client, editor, "Murad Muradov")
    interview = await make_interview(client, editor, secret_series, host, guest, title="Scoop")
    return await publish(client, editor, interview)


async def test_a_hidden_series_leaks_nowhere(
    client: Client, secret_series: Json, secret_interview: Json
) -> None:
    text = await public_text(client, secret_series, secret_interview)
    assert SECRET not in text and "Scoop" not in text and "embargo" not in text
    assert (await client.get(f"/content/v1/series/{secret_series['slug']}")).status_code == 404
    page = await client.get(f"/content/v1/interviews/{secret_interview['slug']}")
    assert page.status_code == 404
    assert (await client.get(f"/feeds/series/{secret_series['slug']}.rss")).status_code == 404


async def test_editors_still_see_it(
    client: Client, editor: Headers, secret_series: Json, secret_interview: Json
) -> None:
    listed = (await client.get("/admin/v1/series", headers=editor)).json()["items"]
    assert [s["title"] for s in listed] == [SECRET]
    calendar = await client.get("/admin/v1/calendar.ics", headers=editor)
    assert "Scoop" in calendar.text


async def test_made_public_it_appears_everywhere(
    client: Client, editor: Headers, secret_series: Json, secret_interview: Json
) -> None:
    await series_update(client, editor, secret_series, visibility="public")
    assert (await client.get(f"/content/v1/interviews/{secret_interview['slug']}")).is_success
    titles = [s["title"] for s in (await client.get("/content/v1/series")).json()["items"]]
    assert titles == [SECRET]
    sections = (await client.get("/content/v1/frontpage?sections=series")).json()["sections"]
    assert [section["title"] for section in sections] == [SECRET]


async def test_unlisted_is_open_but_not_listed(
    client: Client, editor: Headers, secret_series: Json, secret_interview: Json
) -> None:
    await series_update(client, editor, secret_series, visibility="unlisted")
    slug = secret_series["slug"]
    assert (await client.get(f"/content/v1/series/{slug}")).status_code == 200
    assert (await client.get(f"/feeds/series/{slug}.rss")).status_code == 200
    assert (await client.get(f"/content/v1/interviews/{secret_interview['slug']}")).is_success
    latest = (await client.get("/content/v1/interviews")).json()["items"]
    assert [card["slug"] for card in latest] == [secret_interview["slug"]]
    assert (await client.get("/content/v1/series")).json()["items"] == []
    sections = (await client.get("/content/v1/frontpage?sections=series")).json()["sections"]
    assert sections == []


async def test_a_scheduled_interview_keeps_its_time_and_appears_once_shown(
    client: Client, editor: Headers, secret_series: Json, clock: MovableClock
) -> None:
    host = await make_person(client, editor, "Lauri Nikulainen")
    guest = await make_person(client, editor, "Murad Muradov")
    interview = await make_interview(client, editor, secret_series, host, guest, title="Later")
    publish_at = (clock.now() + timedelta(hours=1)).replace(microsecond=0)
    scheduled = await schedule(client, editor, interview, publish_at=publish_at)
    clock.advance(days=2)  # its time has come, while the series is hidden
    path = f"/content/v1/interviews/{scheduled['slug']}"
    assert (await client.get(path)).status_code == 404
    await series_update(client, editor, secret_series, visibility="public")
    page = (await client.get(path)).json()
    assert datetime.fromisoformat(page["published_at"]) == publish_at


async def test_visibility_changes_are_announced(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    clock: MovableClock,
    secret_series: Json,
    secret_interview: Json,
) -> None:
    """Hidden, its interviews' events announce nothing; shown, each appeared interview is
    published anew; hidden again, each is announced as hidden."""

    async def events() -> list[str]:
        rows = await db.fetch(
            "SELECT type FROM events WHERE interview_id = $1 ORDER BY occurred_at, id",
            secret_interview["id"],
        )
        return [row["type"] for row in rows]

    before = await events()
    clock.advance(minutes=1)
    await series_update(client, editor, secret_series, visibility="unlisted")
    assert await events() == [*before, "interview.published"]
    clock.advance(minutes=1)
    await series_update(client, editor, secret_series, visibility="public")
    assert await events() == [*before, "interview.published"], "still public: nothing new"
    clock.advance(minutes=1)
    await series_update(client, editor, secret_series, visibility="hidden")
    assert await events() == [*before, "interview.published", "interview.hidden"]


async def test_a_bad_visibility_is_a_400(client: Client, editor: Headers) -> None:
    response = await client.post(
        "/admin/v1/series", json={"title": "X", "visibility": "secret"}, headers=editor
    )
    assert response.status_code == 400, response.text


async def test_existing_and_demo_series_stay_public(
    db: asyncpg.Connection, clock: MovableClock, client: Client, editor: Headers
) -> None:
    await load_demo(db, clock.now())
    assert await db.fetchval("SELECT visibility FROM series") == "public"
    series = await make_series(client, editor, slug="other", visibility="public")
    assert series["visibility"] == "public"


async def test_webhooks_hear_nothing_of_a_hidden_series_until_it_is_shown(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    clock: MovableClock,
    settings: Settings,
    secret_series: Json,
    secret_interview: Json,
) -> None:
    await subscribe(client, admin, "http://127.0.0.1:9/hook")
    site = Site(settings.base_url)
    assert await dispatch_due(pool, clock.now(), settings, site) > 0
    assert await db.fetchval("SELECT count(*) FROM deliveries") == 0, "nothing announced"
    await series_update(client, editor, secret_series, visibility="public")
    assert await dispatch_due(pool, clock.now(), settings, site) == 1
    body = await db.fetchval("SELECT body FROM deliveries")
    announced = msgspec.json.decode(body)
    assert announced["type"] == "interview.published"
    assert announced["interview"]["title"] == "Scoop"
