"""Checks of the Admin API's answers and an interview's lifecycle actions, shared by every test
package (the data itself is built with tests/factories.py)."""

from datetime import datetime
from typing import Any

import httpx

from tests.factories import Client, Headers, Json

INTERVIEWS = "/admin/v1/interviews"


def problem(response: httpx.Response, status: int) -> Json:
    """The problem+json body of `response`, after checking its status and media type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: Json = response.json()
    assert body["status"] == status
    return body


def fields(body: Json) -> list[str]:
    """The fields a problem names, in its order."""
    return [error["field"] for error in body.get("errors", [])]


def unprocessable(response: httpx.Response) -> list[str]:
    """The fields a 422 problem names."""
    return fields(problem(response, 422))


def ok(response: httpx.Response, status: int = 200) -> Json:
    """The resource a write answers with, after checking the status and that the ETag names the
    version the body has."""
    assert response.status_code == status, response.text
    body: Json = response.json()
    assert response.headers["etag"] == f'"v{body["version"]}"'
    return body


async def fetch(client: Client, headers: Headers, interview: Json) -> Json:
    """The interview as the Admin API has it now."""
    response = await client.get(f"{INTERVIEWS}/{interview['id']}", headers=headers)
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


async def act(
    client: Client, headers: Headers, interview: Json, action: str, **body: Any
) -> httpx.Response:
    """POST a lifecycle action (publish, schedule, unschedule, withdraw); the answer, unchecked."""
    return await client.post(
        f"{INTERVIEWS}/{interview['id']}/{action}", json=body or None, headers=headers
    )


async def acted(
    client: Client, headers: Headers, interview: Json, action: str, **body: Any
) -> Json:
    """The interview after a lifecycle action that must succeed."""
    return ok(await act(client, headers, interview, action, **body))


async def publish(client: Client, headers: Headers, interview: Json) -> Json:
    return await acted(client, headers, interview, "publish")


async def schedule(
    client: Client, headers: Headers, interview: Json, publish_at: str | datetime
) -> Json:
    """Scheduled at `publish_at`, confirmed whether or not that is a free slot of its series."""
    at = publish_at.isoformat() if isinstance(publish_at, datetime) else publish_at
    return await acted(client, headers, interview, "schedule", publish_at=at, confirm=True)


async def unschedule(client: Client, headers: Headers, interview: Json) -> Json:
    return await acted(client, headers, interview, "unschedule")


async def withdraw(client: Client, headers: Headers, interview: Json) -> Json:
    return await acted(client, headers, interview, "withdraw")
