"""Every route answers 400 to a query parameter it does not take, and list-valued parameters
come repeated or comma-separated.

Before, the Admin API (and /metrics, /health, /docs) ignored unknown parameters: a typo such as
`?seires=` or `?page=2` answered 200 with unfiltered data. The frontpage's `sections` took only
the repeated form, so the README's own `?sections=latest,editors-choice,popular,series` was a
400.
"""

import re
from typing import Any

import pytest

from tests.factories import Client, Headers, Json
from tests.helpers import problem, publish

ANY_ID = "00000000-0000-4000-8000-000000000000"
SAMPLE_PATH_VALUES = {"file": "all.rss", "placement": "card", "number": "1"}


def sample_path(template: str) -> str:
    """A concrete path for a route template: the parameter is refused before it is read."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: SAMPLE_PATH_VALUES.get(m[1], ANY_ID if m[1].endswith("_id") else "nobody"),
        template,
    )


async def test_every_route_refuses_an_unknown_parameter(client: Client, admin: Headers) -> None:
    schema: dict[str, Any] = (await client.get("/docs/openapi.json")).json()
    checked = []
    for template, operations in schema["paths"].items():
        for method in operations.keys() & {"get", "post", "put", "patch", "delete"}:
            response = await client.request(
                method, sample_path(template), params={"seires": "x"}, headers=admin
            )
            assert response.status_code == 400, (method, template, response.text)
            body = problem(response, 400)
            assert [error["field"] for error in body["errors"]] == ["seires"], template
            assert "'seires'" in body["detail"]
            checked.append((method, template))
    assert len(checked) == sum(len(operations) for operations in schema["paths"].values())


async def test_the_refusal_names_what_the_route_takes(client: Client, editor: Headers) -> None:
    body = problem(await client.get("/admin/v1/interviews?page=2", headers=editor), 400)
    for name in ("cursor", "limit", "series_id", "status", "tag"):
        assert name in body["detail"]


async def test_a_list_comes_comma_separated_or_repeated(
    client: Client, editor: Headers, interview: Json
) -> None:
    await publish(client, editor, interview)
    comma = await client.get("/content/v1/frontpage?sections=latest,popular&size=6")
    repeated = await client.get("/content/v1/frontpage?sections=latest&sections=popular&size=6")
    assert comma.status_code == repeated.status_code == 200, comma.text
    assert comma.json() == repeated.json()
    assert [section["name"] for section in comma.json()["sections"]] == ["latest", "popular"]
    mixed = await client.get("/content/v1/frontpage?sections=popular,latest&sections=series")
    assert [section["name"] for section in mixed.json()["sections"]][:2] == ["popular", "latest"]


@pytest.mark.parametrize("sections", ["latest,,popular", "latest,nonsense", ","])
async def test_a_bad_piece_of_a_list_is_a_400(client: Client, sections: str) -> None:
    body = problem(await client.get(f"/content/v1/frontpage?sections={sections}"), 400)
    assert "sections" in body["detail"] or [e["field"] for e in body["errors"]] == ["sections"]


async def test_a_comma_in_a_single_value_is_kept(client: Client, editor: Headers) -> None:
    """Only lists are split: a person search for "Muradov, Murad" stays one value."""
    await client.post("/admin/v1/people", json={"name": "Murad Muradov"}, headers=editor)
    response = await client.get("/admin/v1/people", params={"q": "Muradov, Murad"}, headers=editor)
    assert response.status_code == 200, response.text
