"""Helpers for the CDN tests: the keys a response carries, and the purges the outbox holds."""

import asyncpg
import httpx

from app.cdn.keys import LISTS


def keys_of(response: httpx.Response) -> set[str]:
    """The response's Surrogate-Key, checked to say the same as its Cache-Tag."""
    assert response.status_code == 200, response.text
    keys = set(response.headers["surrogate-key"].split(" "))
    assert set(response.headers["cache-tag"].split(",")) == keys
    return keys


async def purged(db: asyncpg.Connection) -> list[set[str]]:
    """The keys of each purge waiting to be sent, oldest first."""
    rows = await db.fetch("SELECT keys FROM purges ORDER BY created_at, id")
    return [set(row["keys"]) for row in rows]


async def forget_purges(db: asyncpg.Connection) -> None:
    """Set-up writes purges too (triggers on series and people): start from none."""
    await db.execute("DELETE FROM purges")


def interview_purge(interview: dict[str, object], *subjects: str) -> set[str]:
    """What a change to `interview` purges: itself, the lists of `subjects`, every list."""
    return {f"interview:{interview['id']}", *subjects, *LISTS}
