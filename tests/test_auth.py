"""Bearer tokens and the role guards of the Admin API."""

import asyncpg
import pytest

from tests.conftest import MovableClock
from tests.factories import Client

SERIES = "/admin/v1/series"
TOKENS = "/admin/v1/tokens"


async def issue(client: Client, admin: dict[str, str], role: str) -> tuple[str, dict[str, str]]:
    """A new token's id and its Authorization header."""
    response = await client.post(TOKENS, json={"name": f"new {role}", "role": role}, headers=admin)
    assert response.status_code == 201, response.text
    issued = response.json()
    return issued["token"]["id"], {"Authorization": f"Bearer {issued['secret']}"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic ZWRpdG9yOnNlY3JldA=="},
        {"Authorization": "nonsense"},
    ],
)
async def test_without_a_valid_token_is_401(client: Client, headers: dict[str, str]) -> None:
    response = await client.get(SERIES, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer realm="colloquy"'
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response.json()["title"] == "Unauthorized"


async def test_basic_with_a_real_secret_is_401(client: Client, editor: dict[str, str]) -> None:
    secret = editor["Authorization"].removeprefix("Bearer ")
    response = await client.get(SERIES, headers={"Authorization": f"Basic {secret}"})
    assert response.status_code == 401, response.text


async def test_revoked_token_is_401(client: Client, admin: dict[str, str]) -> None:
    token_id, headers = await issue(client, admin, "editor")
    assert (await client.get(SERIES, headers=headers)).status_code == 200

    response = await client.delete(f"{TOKENS}/{token_id}", headers=admin)
    assert response.status_code == 204, response.text

    response = await client.get(SERIES, headers=headers)
    assert response.status_code == 401, response.text
    assert "www-authenticate" in response.headers


async def test_contributor_cannot_create_series(
    client: Client, contributor: dict[str, str], db: asyncpg.Connection
) -> None:
    response = await client.post(SERIES, json={"title": "Weekly"}, headers=contributor)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await db.fetchval("SELECT count(*) FROM series") == 0


async def test_contributor_can_read_series(
    client: Client, contributor: dict[str, str], editor: dict[str, str]
) -> None:
    await client.post(SERIES, json={"title": "Weekly"}, headers=editor)
    response = await client.get(SERIES, headers=contributor)
    assert response.status_code == 200, response.text
    assert [s["title"] for s in response.json()["items"]] == ["Weekly"]


async def test_contributor_cannot_change_or_delete_series(
    client: Client, contributor: dict[str, str], editor: dict[str, str]
) -> None:
    response = await client.post(SERIES, json={"title": "Weekly"}, headers=editor)
    url = f"{SERIES}/{response.json()['id']}"
    response = await client.patch(url, json={"title": "Hijacked"}, headers=contributor)
    assert response.status_code == 403, response.text
    assert (await client.delete(url, headers=contributor)).status_code == 403
    assert (await client.get(url, headers=editor)).json()["title"] == "Weekly"


async def test_only_admin_manages_tokens(
    client: Client, editor: dict[str, str], admin: dict[str, str], db: asyncpg.Connection
) -> None:
    assert (await client.get(TOKENS, headers=editor)).status_code == 403
    response = await client.post(TOKENS, json={"name": "Mine", "role": "admin"}, headers=editor)
    assert response.status_code == 403, response.text
    assert await db.fetchval("SELECT count(*) FROM tokens WHERE name = 'Mine'") == 0

    response = await client.get(TOKENS, headers=admin)
    assert response.status_code == 200, response.text
    assert sorted(t["role"] for t in response.json()) == ["admin", "editor"]


async def test_last_used_at_is_recorded(
    client: Client, admin: dict[str, str], db: asyncpg.Connection, clock: MovableClock
) -> None:
    token_id, headers = await issue(client, admin, "contributor")

    async def last_used() -> object:
        return await db.fetchval("SELECT last_used_at FROM tokens WHERE id = $1", token_id)

    assert await last_used() is None
    first_use = clock.now()
    await client.get(SERIES, headers=headers)
    assert await last_used() == first_use

    clock.advance(seconds=30)  # at most one write a minute
    await client.get(SERIES, headers=headers)
    assert await last_used() == first_use

    clock.advance(minutes=2)
    await client.get(SERIES, headers=headers)
    assert await last_used() == clock.now()
