"""Old slugs of interviews, series and people: 308 on every public route that takes a slug,
reserved for their owner, listed at /content/v1/redirects."""

import asyncio
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from app.settings import Settings
from tests.conftest import MovableClock
from tests.content import BASE, CONTENT, World
from tests.events import dispatch, subscribe
from tests.factories import Client, Headers, Json, make_interview, make_person, make_series
from tests.helpers import fields, problem, publish, schedule, withdraw

ADMIN_PATHS = {"interview": "interviews", "series": "series", "person": "people"}


async def rename(client: Client, editor: Headers, kind: str, item: Json, slug: str) -> Json:
    response = await client.patch(
        f"/admin/v1/{ADMIN_PATHS[kind]}/{item['id']}", json={"slug": slug}, headers=editor
    )
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


async def redirects(client: Client, **params: Any) -> list[tuple[str, str, str]]:
    response = await client.get(f"{CONTENT}/redirects", params=params or None)
    assert response.status_code == 200, response.text
    return [(r["kind"], r["from_slug"], r["to_slug"]) for r in response.json()["items"]]


def moved_to(response: httpx.Response) -> str:
    assert response.status_code == 308, response.text
    return response.headers["location"]


class Thursday(msgspec.Struct):
    """A public series, a published interview in it and its two participants."""

    series: Json
    interview: Json
    host: Json
    guest: Json


async def thursday(client: Client, editor: Headers) -> Thursday:
    world = World(client, editor)
    interview = await world.published("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    return Thursday(
        series=await world.series("Thursday Interview"),
        interview=interview,
        host=await world.person("Lauri Nikulainen"),
        guest=await world.person("Murad Muradov"),
    )


def item_of(world: Thursday, kind: str) -> Json:
    return {"interview": world.interview, "series": world.series, "person": world.guest}[kind]


# Every public route that takes a slug: the kind, the URL with `{}` for the slug, and a query
# the route takes (kept in the redirect).
ROUTES = [
    ("interview", "/content/v1/interviews/{}", "formats=text"),
    ("interview", "/content/v1/interviews/{}/card", ""),
    ("interview", "/content/v1/interviews/{}/related", "limit=2"),
    ("series", "/content/v1/series/{}", "limit=5"),
    ("series", "/feeds/series/{}.rss", ""),
    ("series", "/feeds/series/{}.atom", ""),
    ("series", "/feeds/series/{}.json", ""),
    ("person", "/content/v1/people/{}", "limit=5"),
    ("person", "/feeds/people/{}.rss", ""),
    ("person", "/feeds/people/{}.atom", ""),
    ("person", "/feeds/people/{}.json", ""),
    ("series", "/content/v1/interviews?series={}", "limit=5"),
    ("person", "/content/v1/interviews?person={}", "limit=5"),
    ("series", "/content/v1/newsletter?series={}", "since=2026-11-20T00:00:00Z"),
    ("series", "/content/v1/search?series={}", "q=thursday"),
    ("person", "/content/v1/search?person={}", "q=thursday"),
]


def url(template: str, slug: str, query: str) -> str:
    path = template.format(slug)
    return f"{path}{'&' if '?' in path else '?'}{query}" if query else path


@pytest.mark.parametrize(("kind", "template", "query"), ROUTES)
async def test_an_old_slug_redirects_to_the_new_one_with_its_query(
    client: Client, editor: Headers, kind: str, template: str, query: str
) -> None:
    world = await thursday(client, editor)
    item = item_of(world, kind)
    await rename(client, editor, kind, item, "renamed")

    old = await client.get(url(template, item["slug"], query))
    assert moved_to(old) == url(template, "renamed", query)
    assert old.headers["cache-control"] == "public, max-age=60"
    assert (await client.get(moved_to(old))).status_code == 200


async def test_a_view_of_an_old_slug_is_redirected_with_its_method(
    client: Client, editor: Headers
) -> None:
    world = await thursday(client, editor)
    await rename(client, editor, "interview", world.interview, "renamed")
    response = await client.post(f"{CONTENT}/interviews/{world.interview['slug']}/views")
    assert moved_to(response) == f"{CONTENT}/interviews/renamed/views"


async def test_a_slug_in_another_script_is_percent_encoded_in_location(
    client: Client, editor: Headers
) -> None:
    world = await thursday(client, editor)
    await rename(client, editor, "person", world.guest, "мурад")
    response = await client.get(f"/feeds/people/{world.guest['slug']}.rss")
    assert moved_to(response) == "/feeds/people/%D0%BC%D1%83%D1%80%D0%B0%D0%B4.rss"
    assert (await client.get(moved_to(response))).status_code == 200


async def test_a_chain_of_renames_leads_straight_to_the_current_slug(
    client: Client, editor: Headers
) -> None:
    world = await thursday(client, editor)
    first = world.interview["slug"]
    await rename(client, editor, "interview", world.interview, "second")
    await rename(client, editor, "interview", world.interview, "third")

    for old in (first, "second"):
        response = await client.get(f"{CONTENT}/interviews/{old}")
        assert moved_to(response) == f"{CONTENT}/interviews/third"
    assert sorted(await redirects(client)) == sorted(
        [("interview", first, "third"), ("interview", "second", "third")]
    )


async def test_renaming_back_takes_the_old_slug_and_leaves_no_loop(
    client: Client, editor: Headers
) -> None:
    world = await thursday(client, editor)
    first = world.interview["slug"]
    await rename(client, editor, "interview", world.interview, "second")
    await rename(client, editor, "interview", world.interview, first)

    assert (await client.get(f"{CONTENT}/interviews/{first}")).status_code == 200
    second = await client.get(f"{CONTENT}/interviews/second")
    assert moved_to(second) == f"{CONTENT}/interviews/{first}"
    assert await redirects(client) == [("interview", "second", first)]


# The body that creates another interview, series or person with this slug.
CREATE = {
    "interview": lambda world, slug: {
        "series_id": world.series["id"],
        "title": "Other",
        "slug": slug,
    },
    "series": lambda world, slug: {"title": "Other", "slug": slug, "visibility": "public"},
    "person": lambda world, slug: {"name": "Other", "slug": slug},
}


async def create(client: Client, editor: Headers, kind: str, body: Json) -> httpx.Response:
    return await client.post(f"/admin/v1/{ADMIN_PATHS[kind]}", json=body, headers=editor)


@pytest.mark.parametrize("kind", ["interview", "series", "person"])
async def test_an_old_slug_is_kept_from_others_of_its_kind(
    client: Client, editor: Headers, kind: str
) -> None:
    world = await thursday(client, editor)
    old = item_of(world, kind)["slug"]
    await rename(client, editor, kind, item_of(world, kind), "renamed")

    refused = await create(client, editor, kind, CREATE[kind](world, old))
    assert fields(problem(refused, 409)) == ["slug"]
    other = await create(client, editor, kind, CREATE[kind](world, "free"))
    assert other.status_code == 201, other.text
    renamed = await client.patch(
        f"/admin/v1/{ADMIN_PATHS[kind]}/{other.json()['id']}", json={"slug": old}, headers=editor
    )
    assert fields(problem(renamed, 409)) == ["slug"]
    assert moved_to(await client.get(f"{CONTENT}/{ADMIN_PATHS[kind]}/{old}")).endswith("renamed")


async def test_an_old_slug_is_free_for_other_kinds(client: Client, editor: Headers) -> None:
    world = await thursday(client, editor)
    old = world.interview["slug"]
    await rename(client, editor, "interview", world.interview, "renamed")
    assert (await create(client, editor, "person", {"name": "X", "slug": old})).status_code == 201


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("interview", "Thursday Interview: Murad Muradov"),
        ("series", "Thursday Interview"),
        ("person", "Murad Muradov"),
    ],
)
async def test_a_slug_made_from_a_title_is_not_an_old_slug(
    client: Client, editor: Headers, kind: str, title: str
) -> None:
    world = await thursday(client, editor)
    old = item_of(world, kind)["slug"]
    await rename(client, editor, kind, item_of(world, kind), "renamed")

    body = {k: v for k, v in CREATE[kind](world, "").items() if k != "slug"}
    body["name" if kind == "person" else "title"] = title
    made = await create(client, editor, kind, body)
    assert made.status_code == 201, made.text
    assert made.json()["slug"] == f"{old}-2"


async def test_the_list_pages_by_change_and_keeps_what_changed_since(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = await thursday(client, editor)
    series_slug, guest_slug = world.series["slug"], world.guest["slug"]
    await rename(client, editor, "series", world.series, "series-2")
    first_change = clock.now()
    clock.advance(hours=1)
    await rename(client, editor, "person", world.guest, "guest-2")
    clock.advance(hours=1)
    await rename(client, editor, "interview", world.interview, "interview-2")

    page = (await client.get(f"{CONTENT}/redirects", params={"limit": 2})).json()
    assert page["items"][0] == {
        "kind": "series",
        "from": f"{BASE}/series/{series_slug}",
        "to": f"{BASE}/series/series-2",
        "from_slug": series_slug,
        "to_slug": "series-2",
        "changed_at": first_change.isoformat().replace("+00:00", "Z"),
    }
    assert [item["kind"] for item in page["items"]] == ["series", "person"]
    rest = await redirects(client, limit=2, cursor=page["next_cursor"])
    assert rest == [("interview", world.interview["slug"], "interview-2")]

    since = (first_change.replace(minute=30)).isoformat()
    assert await redirects(client, since=since) == [
        ("person", guest_slug, "guest-2"),
        ("interview", world.interview["slug"], "interview-2"),
    ]
    # A later rename leads an old slug elsewhere: it counts as changed then.
    clock.advance(hours=1)
    await rename(client, editor, "series", world.series, "series-3")
    later = clock.now().isoformat()
    assert await redirects(client, since=later) == [
        ("series", "series-2", "series-3"),
        ("series", series_slug, "series-3"),
    ]


async def test_a_draft_never_published_keeps_no_old_slug(client: Client, editor: Headers) -> None:
    world = World(client, editor)
    draft = await world.draft("Thursday Interview", "Lauri Nikulainen", "Murad Muradov")
    await rename(client, editor, "interview", draft, "renamed")
    await publish(client, editor, draft)

    assert (await client.get(f"{CONTENT}/interviews/{draft['slug']}")).status_code == 404
    assert await redirects(client) == []
    series = await world.series("Thursday Interview")
    body = {"series_id": series["id"], "title": "Other", "slug": draft["slug"]}
    assert (await create(client, editor, "interview", body)).status_code == 201


async def test_only_what_is_public_redirects(client: Client, editor: Headers) -> None:
    world = await thursday(client, editor)
    old = {kind: item_of(world, kind)["slug"] for kind in ADMIN_PATHS}
    for kind in ADMIN_PATHS:
        await rename(client, editor, kind, item_of(world, kind), f"new-{kind}")
    interview = await client.get(f"{CONTENT}/interviews/{old['interview']}")
    assert moved_to(interview)

    await withdraw(client, editor, world.interview)
    # Nobody is public without a public interview: the old slugs say nothing either.
    assert (await client.get(f"{CONTENT}/interviews/{old['interview']}")).status_code == 404
    assert (await client.get(f"{CONTENT}/people/{old['person']}")).status_code == 404
    assert (await client.get(f"/feeds/people/{old['person']}.rss")).status_code == 404
    assert await redirects(client) == [("series", old["series"], "new-series")]

    hidden = await client.patch(
        f"/admin/v1/series/{world.series['id']}", json={"visibility": "hidden"}, headers=editor
    )
    assert hidden.status_code == 200, hidden.text
    assert (await client.get(f"{CONTENT}/series/{old['series']}")).status_code == 404
    assert await redirects(client) == []


async def test_a_scheduled_interview_redirects_once_its_time_has_come(
    client: Client, editor: Headers, clock: MovableClock
) -> None:
    world = await thursday(client, editor)
    draft = await make_interview(client, editor, world.series, world.host, world.guest)
    await publish(client, editor, draft)
    await withdraw(client, editor, draft)
    await rename(client, editor, "interview", draft, "renamed")
    await schedule(client, editor, draft, clock.now() + timedelta(hours=1))

    assert (await client.get(f"{CONTENT}/interviews/{draft['slug']}")).status_code == 404
    clock.advance(hours=1)
    response = await client.get(f"{CONTENT}/interviews/{draft['slug']}")
    assert moved_to(response) == f"{CONTENT}/interviews/renamed"


async def test_a_cached_page_gives_way_to_the_redirect_at_once(
    client: Client, editor: Headers
) -> None:
    world = await thursday(client, editor)
    old = f"{CONTENT}/interviews/{world.interview['slug']}"
    assert (await client.get(old)).status_code == 200
    assert (await client.get(f"{CONTENT}/redirects")).json()["items"] == []
    await rename(client, editor, "interview", world.interview, "renamed")
    assert moved_to(await client.get(old)) == f"{CONTENT}/interviews/renamed"
    assert len((await client.get(f"{CONTENT}/redirects")).json()["items"]) == 1


async def test_the_list_is_conditional(client: Client, editor: Headers) -> None:
    world = await thursday(client, editor)
    await rename(client, editor, "series", world.series, "renamed")
    first = await client.get(f"{CONTENT}/redirects")
    again = await client.get(
        f"{CONTENT}/redirects", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


async def test_an_updated_webhook_names_the_previous_slug(
    client: Client,
    admin: Headers,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    clock: MovableClock,
    settings: Settings,
) -> None:
    world = await thursday(client, editor)
    await subscribe(client, admin, "https://hooks.example/in", ["interview.updated"])
    await rename(client, editor, "interview", world.interview, "renamed")
    clock.advance(minutes=1)
    retitled = await client.patch(
        f"/admin/v1/interviews/{world.interview['id']}", json={"title": "New"}, headers=editor
    )
    assert retitled.status_code == 200
    await dispatch(pool, clock, settings)

    rows = await db.fetch(
        "SELECT d.body FROM deliveries d JOIN events e ON e.id = d.event_id ORDER BY e.occurred_at"
    )
    bodies = [msgspec.json.decode(row["body"]) for row in rows]
    assert [body["interview"]["slug"] for body in bodies] == ["renamed", "renamed"]
    assert bodies[0]["previous_slug"] == world.interview["slug"]
    assert "previous_slug" not in bodies[1]


async def test_a_restored_item_does_not_take_an_old_slug_of_another(
    client: Client, editor: Headers
) -> None:
    world = await thursday(client, editor)
    gone = await make_person(client, editor, "Gone", slug="gone")
    deleted = await client.delete(
        f"/admin/v1/people/{gone['id']}", headers={**editor, "If-Match": f'"v{gone["version"]}"'}
    )
    assert deleted.status_code == 204, deleted.text
    await rename(client, editor, "person", world.guest, "gone")
    await rename(client, editor, "person", world.guest, "murad")

    restored = await client.post(f"/admin/v1/trash/people/{gone['id']}/restore", headers=editor)
    assert restored.status_code == 200, restored.text
    assert restored.json()["slug"] == "gone-2"
    assert moved_to(await client.get(f"{CONTENT}/people/gone")) == f"{CONTENT}/people/murad"


async def test_the_calendar_follows_an_old_slug_of_a_series_not_public(
    client: Client, editor: Headers
) -> None:
    hidden = await create(client, editor, "series", {"title": "Planned", "slug": "planned"})
    assert hidden.json()["visibility"] == "hidden"
    await rename(client, editor, "series", hidden.json(), "in-the-works")

    response = await client.get("/admin/v1/calendar.ics?series=planned", headers=editor)
    assert moved_to(response) == "/admin/v1/calendar.ics?series=in-the-works"
    assert response.headers["cache-control"] == "private, no-cache"
    assert (await client.get(moved_to(response), headers=editor)).status_code == 200
    assert (await client.get(f"{CONTENT}/series/planned")).status_code == 404


async def test_a_purged_item_frees_its_old_slugs(client: Client, editor: Headers) -> None:
    series = await make_series(client, editor, title="Short-lived", slug="short-lived")
    renamed = await rename(client, editor, "series", series, "brief")
    deleted = await client.delete(
        f"/admin/v1/series/{series['id']}",
        headers={**editor, "If-Match": f'"v{renamed["version"]}"'},
    )
    assert deleted.status_code == 204, deleted.text
    body = {"title": "Other", "slug": "short-lived"}
    assert fields(problem(await create(client, editor, "series", body), 409)) == ["slug"]

    purged = await client.delete(f"/admin/v1/trash/series/{series['id']}", headers=editor)
    assert purged.status_code == 204, purged.text
    assert (await create(client, editor, "series", body)).status_code == 201


async def waiting_on_a_lock(db: asyncpg.Connection, pid: int) -> None:
    for _ in range(500):
        query = "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1"
        if await db.fetchval(query, pid):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the second writer did not come to wait within 10 s")


async def test_a_slug_taken_while_it_is_being_left_is_refused(
    client: Client, editor: Headers, db: asyncpg.Connection, pool: asyncpg.Pool
) -> None:
    """One transaction renames A -> B while another gives A to a second interview: the second
    waits for the first and then sees A kept, whichever commits first would otherwise win."""
    world = await thursday(client, editor)
    second = await make_interview(client, editor, world.series, world.host, world.guest)
    old = world.interview["slug"]
    rename_sql = "UPDATE interviews SET slug = $2, updated_at = now() WHERE id = $1"
    async with pool.acquire() as leaving, pool.acquire() as taking:
        async with leaving.transaction():
            await leaving.execute(rename_sql, world.interview["id"], "renamed")
            taken = asyncio.create_task(taking.execute(rename_sql, second["id"], old))
            await waiting_on_a_lock(db, taking.get_server_pid())
        with pytest.raises(asyncpg.UniqueViolationError) as refused:
            await taken
    assert refused.value.constraint_name == "old_slugs_pkey"
