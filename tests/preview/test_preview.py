"""Previews: a private link to an interview as its public page will be, whatever its status."""

import hashlib
from datetime import timedelta

import asyncpg
import httpx
import msgspec
import pytest

from app.cache import PublicCache
from app.main import create_app
from app.settings import Settings
from tests.conftest import MovableClock
from tests.factories import Client, Headers, Json, make_interview
from tests.helpers import INTERVIEWS, fetch, problem, publish, schedule

BASE = "https://news.example"
PREVIEW = "/content/v1/preview"


async def issue(client: Client, headers: Headers, interview: Json, **body: int) -> Json:
    response = await client.post(
        f"{INTERVIEWS}/{interview['id']}/preview", json=body or None, headers=headers
    )
    assert response.status_code == 201, response.text
    link: Json = response.json()
    return link


async def preview(client: Client, link: Json) -> Json:
    response = await client.get(f"{PREVIEW}/{link['token']}")
    assert response.status_code == 200, response.text
    page: Json = response.json()
    return page


async def public_page(client: Client, interview: Json) -> Json:
    response = await client.get(f"/content/v1/interviews/{interview['slug']}")
    assert response.status_code == 200, response.text
    page: Json = response.json()
    return page


async def test_a_draft_previews_as_its_page_will_be_once_published(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    link = await issue(client, editor, interview)
    assert link["url"] == f"{BASE}/preview/{link['token']}"
    assert link["expires_at"] == (clock.now() + timedelta(days=7)).isoformat().replace(
        "+00:00", "Z"
    )
    assert (await client.get(f"/content/v1/interviews/{interview['slug']}")).status_code == 404

    before = await preview(client, link)
    await publish(client, editor, interview)
    assert before == await public_page(client, interview)
    assert {"card", "related", "json_ld", "json_ld_script", "html", "body"} <= before.keys()


async def test_a_scheduled_interview_previews_before_its_time(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    publish_at = clock.now() + timedelta(days=3)
    await schedule(client, editor, interview, publish_at)
    page = await preview(client, await issue(client, editor, interview))
    assert page["title"] == interview["title"]
    assert page["published_at"] == publish_at.isoformat().replace("+00:00", "Z")


async def test_the_preview_shows_edits_made_after_the_link(
    client: Client, editor: Headers, interview: Json
) -> None:
    link = await issue(client, editor, interview)
    assert (await preview(client, link))["title"] == interview["title"]
    response = await client.patch(
        f"{INTERVIEWS}/{interview['id']}", json={"title": "A better title"}, headers=editor
    )
    assert response.status_code == 200, response.text
    assert (await preview(client, link))["title"] == "A better title"


async def test_the_preview_is_private_and_never_kept_by_the_public_cache(
    app: PublicCache, client: Client, editor: Headers, interview: Json
) -> None:
    link = await issue(client, editor, interview)
    first = await client.get(f"{PREVIEW}/{link['token']}")
    assert first.headers["cache-control"] == "private, no-store"
    assert first.headers["x-robots-tag"] == "noindex"
    assert "etag" not in first.headers
    hits = app.hits
    second = await client.get(f"{PREVIEW}/{link['token']}")
    assert second.status_code == 200
    assert second.headers["cache-control"] == "private, no-store"
    assert app.hits == hits
    assert not [key for key in app.entries if key.startswith(PREVIEW)]


async def test_a_link_expires_after_the_days_asked_for(
    client: Client, editor: Headers, interview: Json, clock: MovableClock
) -> None:
    week = await issue(client, editor, interview)
    month = await issue(client, editor, interview, expires_in_days=30)
    clock.advance(days=7, seconds=-1)
    await preview(client, week)
    clock.advance(seconds=1)
    gone = problem(await client.get(f"{PREVIEW}/{week['token']}"), 404)
    assert gone == problem(await client.get(f"{PREVIEW}/not-a-token"), 404)
    assert (await client.get(f"{PREVIEW}/{week['token']}")).headers["cache-control"] == (
        "private, no-store"
    )
    clock.advance(days=23, seconds=-1)
    await preview(client, month)
    clock.advance(seconds=1)
    problem(await client.get(f"{PREVIEW}/{month['token']}"), 404)


@pytest.mark.parametrize("days", [0, 31])
async def test_a_link_lasts_one_to_thirty_days(
    client: Client, editor: Headers, interview: Json, days: object
) -> None:
    response = await client.post(
        f"{INTERVIEWS}/{interview['id']}/preview", json={"expires_in_days": days}, headers=editor
    )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_deleted_interview_takes_its_links_with_it(
    client: Client, editor: Headers, interview: Json, db: asyncpg.Connection
) -> None:
    link = await issue(client, editor, interview)
    version = (await fetch(client, editor, interview))["version"]
    response = await client.delete(
        f"{INTERVIEWS}/{interview['id']}", headers={**editor, "If-Match": f'"v{version}"'}
    )
    assert response.status_code == 204, response.text
    problem(await client.get(f"{PREVIEW}/{link['token']}"), 404)
    assert await db.fetchval("SELECT count(*) FROM preview_tokens") == 0


async def test_only_a_hash_of_the_token_is_kept(
    client: Client, editor: Headers, interview: Json, db: asyncpg.Connection
) -> None:
    link = await issue(client, editor, interview)
    row = await db.fetchrow("SELECT * FROM preview_tokens")
    assert row is not None
    assert bytes(row["token_hash"]) == hashlib.sha256(link["token"].encode()).digest()
    assert link["token"] not in repr(dict(row))
    assert str(row["interview_id"]) == interview["id"]
    assert len(link["token"]) >= 43  # 32 random bytes


async def test_expired_links_are_deleted_when_the_next_is_issued(
    client: Client, editor: Headers, interview: Json, db: asyncpg.Connection, clock: MovableClock
) -> None:
    await issue(client, editor, interview, expires_in_days=1)
    clock.advance(days=1)
    await issue(client, editor, interview)
    assert await db.fetchval("SELECT count(*) FROM preview_tokens") == 1


async def test_the_link_follows_the_preview_url_template(
    settings: Settings,
    pool: asyncpg.Pool,
    clock: MovableClock,
    editor: Headers,
    interview: Json,
) -> None:
    template = "https://site.example/preview?token={token}"
    service = create_app(
        msgspec.structs.replace(settings, preview_url=template), pool=pool, clock=clock
    )
    transport = httpx.ASGITransport(app=service)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        link = await issue(client, editor, interview)
    assert link["url"] == f"https://site.example/preview?token={link['token']}"


async def test_contributors_preview_their_own_drafts_only(
    client: Client,
    editor: Headers,
    contributor: Headers,
    series: Json,
    lauri: Json,
    murad: Json,
    interview: Json,
    clock: MovableClock,
) -> None:
    own = await make_interview(client, contributor, series, lauri, murad, title="Mine")
    await preview(client, await issue(client, contributor, own))
    for path in ("preview", "rendered"):
        method = client.post if path == "preview" else client.get
        response = await method(f"{INTERVIEWS}/{interview['id']}/{path}", headers=contributor)
        problem(response, 403)  # a colleague's draft
    await schedule(client, editor, own, clock.now() + timedelta(days=3))
    problem(await client.post(f"{INTERVIEWS}/{own['id']}/preview", headers=contributor), 403)


async def test_previews_need_a_token_and_an_interview(
    client: Client, editor: Headers, interview: Json
) -> None:
    problem(await client.post(f"{INTERVIEWS}/{interview['id']}/preview"), 401)
    problem(await client.get(f"{INTERVIEWS}/{interview['id']}/rendered"), 401)
    missing = "00000000-0000-4000-8000-000000000000"
    problem(await client.post(f"{INTERVIEWS}/{missing}/preview", headers=editor), 404)
    problem(await client.get(f"{INTERVIEWS}/{missing}/rendered", headers=editor), 404)


async def test_editors_tools_get_the_rendered_page_with_the_admin_token(
    client: Client, editor: Headers, interview: Json
) -> None:
    link = await issue(client, editor, interview)
    response = await client.get(f"{INTERVIEWS}/{interview['id']}/rendered", headers=editor)
    assert response.status_code == 200, response.text
    assert response.json() == await preview(client, link)


async def test_previews_take_the_formats_of_the_public_page(
    client: Client, editor: Headers, interview: Json
) -> None:
    link = await issue(client, editor, interview)
    response = await client.get(f"{PREVIEW}/{link['token']}", params={"formats": "text"})
    assert response.status_code == 200, response.text
    page = response.json()
    assert "html" not in page and "body" not in page
    assert [block["text"] for block in page["body_text"]] == [
        "How was your visit?",
        "My experience was largely positive.",
    ]
    response = await client.get(
        f"{INTERVIEWS}/{interview['id']}/rendered", params={"formats": "text,html"}, headers=editor
    )
    assert response.json() == {**page, "html": response.json()["html"]}
