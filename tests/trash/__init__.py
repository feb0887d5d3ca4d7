"""Tests of the trash, and the helpers they share."""

from typing import Any

import asyncpg
import httpx

from tests.factories import Client, Headers, Json
from tests.helpers import INTERVIEWS

TRASH = "/admin/v1/trash"
PATHS = {"interviews": INTERVIEWS, "series": "/admin/v1/series", "people": "/admin/v1/people"}


async def delete(client: Client, headers: Headers, kind: str, item: Json) -> httpx.Response:
    """DELETE a series, person or interview, whatever its version (an interview's DELETE needs
    If-Match)."""
    return await client.delete(f"{PATHS[kind]}/{item['id']}", headers={**headers, "If-Match": "*"})


async def trashed(client: Client, headers: Headers, kind: str, item: Json) -> None:
    """Move to the trash, which must succeed."""
    response = await delete(client, headers, kind, item)
    assert response.status_code == 204, response.text


async def restore(client: Client, headers: Headers, kind: str, item: Json) -> httpx.Response:
    return await client.post(f"{TRASH}/{kind}/{item['id']}/restore", headers=headers)


async def purge(client: Client, headers: Headers, kind: str, item: Json) -> httpx.Response:
    return await client.delete(f"{TRASH}/{kind}/{item['id']}", headers=headers)


async def trash(client: Client, headers: Headers, **params: Any) -> list[Json]:
    """The items of the trash's first page."""
    response = await client.get(TRASH, params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["items"]
    return items


async def in_trash(client: Client, headers: Headers) -> set[tuple[str, str]]:
    return {(item["kind"], item["id"]) for item in await trash(client, headers, limit=100)}


async def token_id(db: asyncpg.Connection, role: str) -> str:
    """The id of the test token of this role (tests/conftest.py names each `test {role}`)."""
    return str(await db.fetchval("SELECT id FROM tokens WHERE name = $1", f"test {role}"))
