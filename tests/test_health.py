"""Health checks and the OpenAPI document."""

from typing import Any

from tests.factories import Client

PROBLEM_JSON = "application/problem+json"


async def test_live(client: Client) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_with_database(client: Client) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"  # each check: tests/operations/test_readiness.py


async def openapi(client: Client) -> dict[str, Any]:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200, response.text
    schema: dict[str, Any] = response.json()
    return schema


async def test_openapi_documents_problem_responses(client: Client) -> None:
    schema = await openapi(client)
    assert schema["info"]["title"] == "Colloquy"
    patch = schema["paths"]["/admin/v1/series/{series_id}"]["patch"]
    for status in ["400", "401", "403", "404", "409", "412", "422"]:
        assert list(patch["responses"][status]["content"]) == [PROBLEM_JSON], status
    assert patch["responses"]["412"]["description"] == "Precondition Failed"
