"""Tests of the public response cache itself: its budget, its keys, who may empty it, and what
it answers while the database is away."""

import random
import string

import httpx

from tests.factories import Client, Json, make_interview, make_person, make_series
from tests.helpers import publish


async def get(
    client: Client, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> httpx.Response:
    """A request without content coding unless `headers` asks for one."""
    return await client.request(
        method, path, headers={"Accept-Encoding": "identity", **(headers or {})}
    )


def prose(length: int, seed: int) -> str:
    """Random words: text that does not compress to nothing, so every coding of it takes room."""
    rng = random.Random(seed)
    return "x" + "".join(rng.choices(string.ascii_lowercase + "    ", k=length - 1))


async def published_interviews(
    client: Client, editor: dict[str, str], count: int, body_chars: int
) -> list[Json]:
    """`count` published interviews, each with a paragraph of `body_chars` characters."""
    series = await make_series(client, editor)
    host = await make_person(client, editor, "Lauri Nikulainen")
    guest = await make_person(client, editor, "Murad Muradov")
    published = []
    for n in range(count):
        body = [{"type": "paragraph", "text": prose(body_chars, seed=n)}]
        interview = await make_interview(
            client, editor, series, host, guest, title=f"Interview number {n}", body=body
        )
        published.append(await publish(client, editor, interview))
    return published
