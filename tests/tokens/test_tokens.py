"""Admin API for tokens: secrets are shown once and only their hash is kept."""

import asyncpg

from app.auth import hash_secret
from tests.factories import Client

TOKENS = "/admin/v1/tokens"


async def test_issue_token_and_use_its_secret(client: Client, admin: dict[str, str]) -> None:
    response = await client.post(
        TOKENS, json={"name": "CMS bridge", "role": "editor"}, headers=admin
    )
    assert response.status_code == 201, response.text
    issued = response.json()
    assert issued["secret"].startswith("cq_")
    assert len(issued["secret"]) > 40
    assert issued["token"]["name"] == "CMS bridge"
    assert issued["token"]["role"] == "editor"
    assert issued["token"]["revoked_at"] is None

    bearer = {"Authorization": f"Bearer {issued['secret']}"}
    response = await client.post("/admin/v1/series", json={"title": "Weekly"}, headers=bearer)
    assert response.status_code == 201, response.text


async def test_list_never_shows_secret_or_hash(client: Client, admin: dict[str, str]) -> None:
    response = await client.post(
        TOKENS, json={"name": "Feeds", "role": "contributor"}, headers=admin
    )
    secret = response.json()["secret"]

    response = await client.get(TOKENS, headers=admin)
    assert response.status_code == 200, response.text
    assert sorted(t["name"] for t in response.json()) == ["Feeds", "test admin"]
    assert secret not in response.text
    assert hash_secret(secret).hex() not in response.text
    assert "hash" not in response.text
    assert set(response.json()[0]) == {
        "id", "name", "role", "created_at", "last_used_at", "revoked_at"
    }  # fmt: skip


async def test_only_a_hash_is_stored(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    response = await client.post(TOKENS, json={"name": "Feeds", "role": "editor"}, headers=admin)
    secret = response.json()["secret"]

    row = await db.fetchrow(
        "SELECT secret_hash, row_to_json(tokens)::text AS everything FROM tokens WHERE name = $1",
        "Feeds",
    )
    assert row["secret_hash"] != secret.encode()
    assert row["secret_hash"] == hash_secret(secret)
    assert secret not in row["everything"]
    assert secret.removeprefix("cq_") not in row["everything"]


async def test_invalid_role_is_400(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    for role in ["owner", "Admin", ""]:
        response = await client.post(TOKENS, json={"name": "X", "role": role}, headers=admin)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert await db.fetchval("SELECT count(*) FROM tokens") == 1  # the admin's own


async def test_revoke(client: Client, admin: dict[str, str], db: asyncpg.Connection) -> None:
    response = await client.post(TOKENS, json={"name": "Old", "role": "editor"}, headers=admin)
    token_id = response.json()["token"]["id"]

    response = await client.delete(f"{TOKENS}/{token_id}", headers=admin)
    assert response.status_code == 204, response.text
    revoked_at = await db.fetchval("SELECT revoked_at FROM tokens WHERE id = $1", token_id)
    assert revoked_at is not None

    response = await client.get(TOKENS, headers=admin)
    listed = {t["id"]: t for t in response.json()}
    assert listed[token_id]["revoked_at"] == "2026-11-26T09:00:00Z"


async def test_revoke_unknown_token_is_404(client: Client, admin: dict[str, str]) -> None:
    response = await client.delete(f"{TOKENS}/00000000-0000-0000-0000-000000000000", headers=admin)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
