"""Admin API for series: validation, ETags, slugs, pagination and deletion."""

from typing import Any

import asyncpg
import pytest

from tests.conftest import MovableClock
from tests.factories import Client, make_interview, make_person, make_series
from tests.helpers import fields, problem

SERIES = "/admin/v1/series"
WEEKLY = {"rrule": "FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0", "timezone": "Europe/Brussels"}


async def test_create_makes_slug_and_etag(client: Client, editor: dict[str, str]) -> None:
    response = await client.post(
        SERIES, json={"title": "Thursday Interview: Kyiv & Baku", "cadence": WEEKLY}, headers=editor
    )
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"v1"'
    series = response.json()
    assert series["slug"] == "thursday-interview-kyiv-baku"
    assert series["cadence"] == WEEKLY
    assert series["status"] == "active"
    assert series["version"] == 1

    response = await client.get(f"{SERIES}/{series['id']}", headers=editor)
    assert response.status_code == 200
    assert response.headers["etag"] == '"v1"'
    assert response.json() == series


async def test_create_without_cadence(client: Client, editor: dict[str, str]) -> None:
    series = await make_series(client, editor, cadence=None, status="paused")
    assert series["cadence"] is None
    assert series["status"] == "paused"


@pytest.mark.parametrize(
    ("rrule", "timezone", "field"),
    [
        (WEEKLY["rrule"], "Europe/Atlantis", "cadence.timezone"),
        (WEEKLY["rrule"], "Europe", "cadence.timezone"),  # a tzdata folder, not a zone
        ("FREQ=SOMETIMES", "Europe/Brussels", "cadence.rrule"),
        ("BYDAY=TH;BYHOUR=10", "Europe/Brussels", "cadence.rrule"),  # no FREQ
        ("FREQ=WEEKLY;BYDAY=XX", "Europe/Brussels", "cadence.rrule"),
        ("FREQ=WEEKLY;INTERVAL=0", "Europe/Brussels", "cadence.rrule"),  # RFC 5545: positive
        ("FREQ=YEARLY;BYMONTH=13", "Europe/Brussels", "cadence.rrule"),
    ],
    ids=["atlantis", "folder", "sometimes", "no-freq", "bad-byday", "interval-0", "month-13"],
)
async def test_bad_cadence_is_422(
    client: Client,
    editor: dict[str, str],
    db: asyncpg.Connection,
    rrule: str,
    timezone: str,
    field: str,
) -> None:
    cadence = {"rrule": rrule, "timezone": timezone}
    response = await client.post(
        SERIES, json={"title": "Thursday Interview", "cadence": cadence}, headers=editor
    )
    assert fields(problem(response, 422)) == [field]
    assert await db.fetchval("SELECT count(*) FROM series") == 0


async def test_unknown_status_is_400(
    client: Client, editor: dict[str, str], db: asyncpg.Connection
) -> None:
    response = await client.post(
        SERIES, json={"title": "Thursday Interview", "status": "archived"}, headers=editor
    )
    assert fields(problem(response, 400)) == ["status"]
    assert await db.fetchval("SELECT count(*) FROM series") == 0


async def test_patch_with_if_match(client: Client, editor: dict[str, str]) -> None:
    series = await make_series(client, editor)
    url = f"{SERIES}/{series['id']}"

    response = await client.patch(
        url, json={"title": "Friday Interview"}, headers={**editor, "If-Match": '"v1"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v2"'
    assert response.json()["title"] == "Friday Interview"
    assert response.json()["slug"] == "thursday-interview"  # the slug stays put

    response = await client.patch(
        url, json={"title": "Stale Interview"}, headers={**editor, "If-Match": '"v1"'}
    )
    assert fields(problem(response, 412)) == ["If-Match"]

    response = await client.get(url, headers=editor)
    assert response.json()["title"] == "Friday Interview"
    assert response.headers["etag"] == '"v2"'


@pytest.mark.parametrize("if_match", ["garbage", 'W/"v1"', '"1"', '"vx"'])
async def test_patch_with_garbage_if_match_is_412(
    client: Client, editor: dict[str, str], if_match: str
) -> None:
    series = await make_series(client, editor)
    url = f"{SERIES}/{series['id']}"
    response = await client.patch(
        url, json={"title": "Other"}, headers={**editor, "If-Match": if_match}
    )
    assert response.status_code == 412, response.text
    assert (await client.get(url, headers=editor)).json()["title"] == "Thursday Interview"


async def test_patch_cadence(client: Client, editor: dict[str, str]) -> None:
    series = await make_series(client, editor)
    url = f"{SERIES}/{series['id']}"
    monthly = {"rrule": "FREQ=MONTHLY;BYMONTHDAY=1", "timezone": "Asia/Baku"}

    response = await client.patch(url, json={"cadence": monthly}, headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["cadence"] == monthly

    response = await client.patch(
        url, json={"cadence": {**monthly, "timezone": "Europe/Atlantis"}}, headers=editor
    )
    assert fields(problem(response, 422)) == ["cadence.timezone"]

    response = await client.patch(url, json={"cadence": None}, headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["cadence"] is None
    assert (await client.get(url, headers=editor)).json()["cadence"] is None


async def test_patch_with_empty_body_changes_nothing(
    client: Client, editor: dict[str, str]
) -> None:
    series = await make_series(client, editor)
    response = await client.patch(f"{SERIES}/{series['id']}", json={}, headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Thursday Interview"
    assert response.json()["cadence"] == series["cadence"]


async def test_patch_unknown_series_is_404(client: Client, editor: dict[str, str]) -> None:
    response = await client.patch(
        f"{SERIES}/00000000-0000-0000-0000-000000000000", json={"title": "X"}, headers=editor
    )
    assert response.status_code == 404


async def test_duplicate_slug_is_409(client: Client, editor: dict[str, str]) -> None:
    await make_series(client, editor, slug="thursday")
    response = await client.post(
        SERIES, json={"title": "Another", "slug": "thursday"}, headers=editor
    )
    assert fields(problem(response, 409)) == ["slug"]

    other = await make_series(client, editor, title="Another")
    response = await client.patch(
        f"{SERIES}/{other['id']}", json={"slug": "thursday"}, headers=editor
    )
    assert fields(problem(response, 409)) == ["slug"]


async def test_same_title_gets_a_new_slug(client: Client, editor: dict[str, str]) -> None:
    first = await make_series(client, editor)
    second = await make_series(client, editor)
    assert (first["slug"], second["slug"]) == ("thursday-interview", "thursday-interview-2")


@pytest.mark.parametrize("slug", ["Thursday", "thursday interview", "thursday--x", "-x", ""])
async def test_invalid_slug_is_400(client: Client, editor: dict[str, str], slug: str) -> None:
    response = await client.post(SERIES, json={"title": "Thursday", "slug": slug}, headers=editor)
    assert fields(problem(response, 400)) == ["slug"]


async def test_list_walks_pages_with_cursor(
    client: Client, editor: dict[str, str], clock: MovableClock
) -> None:
    titles = ["First", "Second", "Third"]
    for title in titles:
        await make_series(client, editor, title=title)
        clock.advance(seconds=1)
    # Two more at the very same instant: ties are broken by id.
    await make_series(client, editor, title="Fourth")
    await make_series(client, editor, title="Fifth")

    seen: list[str] = []
    params: dict[str, Any] = {"limit": 1}
    for _ in range(10):
        response = await client.get(SERIES, params=params, headers=editor)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) == 1
        seen += [item["title"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen[:3] == titles
    assert sorted(seen[3:]) == ["Fifth", "Fourth"]

    response = await client.get(SERIES, headers=editor)
    assert response.json()["next_cursor"] is None
    assert len(response.json()["items"]) == 5


@pytest.mark.parametrize("params", [{"cursor": "not-a-cursor"}, {"limit": 0}, {"limit": 101}])
async def test_list_rejects_bad_parameters(
    client: Client, editor: dict[str, str], params: dict[str, Any]
) -> None:
    response = await client.get(SERIES, params=params, headers=editor)
    assert response.status_code == 400, response.text


async def test_delete_series_without_interviews(client: Client, editor: dict[str, str]) -> None:
    series = await make_series(client, editor)
    url = f"{SERIES}/{series['id']}"
    response = await client.delete(url, headers=editor)
    assert response.status_code == 204, response.text
    assert (await client.get(url, headers=editor)).status_code == 404
    assert (await client.delete(url, headers=editor)).status_code == 404


async def test_delete_with_stale_if_match_is_412(client: Client, editor: dict[str, str]) -> None:
    series = await make_series(client, editor)
    url = f"{SERIES}/{series['id']}"
    await client.patch(url, json={"title": "Renamed"}, headers=editor)
    response = await client.delete(url, headers={**editor, "If-Match": '"v1"'})
    assert response.status_code == 412, response.text
    assert (await client.get(url, headers=editor)).status_code == 200


async def test_delete_series_with_an_interview_is_409(
    client: Client, editor: dict[str, str]
) -> None:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    await make_interview(client, editor, series, lauri, murad)

    url = f"{SERIES}/{series['id']}"
    response = await client.delete(url, headers=editor)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"

    response = await client.get(url, headers=editor)
    assert response.status_code == 200
    assert response.json() == series
