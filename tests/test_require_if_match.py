"""With COLLOQUY_REQUIRE_IF_MATCH, a change to a series, person or interview that does not say
which version it changes is a 428 naming the current ETag, so no lost update can happen.

Off (the default), If-Match is honoured when sent and writes without it still work, so that
existing clients keep working.
"""

from typing import Any

import msgspec
import pytest

from app.settings import Settings
from tests.factories import Client, Headers, Json
from tests.helpers import problem

INTERVIEW_WRITES = [
    ("PATCH", "", {"title": "New title"}),
    ("POST", "/publish", None),
    ("PUT", "/teasers/card", {"text": "A teaser"}),
    ("DELETE", "", None),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, require_if_match=True)


def with_if_match(headers: Headers, resource: Json) -> Headers:
    return {**headers, "If-Match": f'"v{resource["version"]}"'}


async def refused_then_confirmed(
    client: Client, headers: Headers, resource: Json, method: str, path: str, body: Any
) -> None:
    refused = problem(await client.request(method, path, json=body, headers=headers), 428)
    assert refused["errors"][0]["field"] == "If-Match"
    assert f'"v{resource["version"]}"' in refused["detail"], "names the ETag to send"
    confirmed = await client.request(
        method, path, json=body, headers=with_if_match(headers, resource)
    )
    assert confirmed.status_code in (200, 204), confirmed.text


@pytest.mark.parametrize(("method", "action", "body"), INTERVIEW_WRITES)
async def test_an_interview_write_without_if_match_is_a_428(
    client: Client, editor: Headers, interview: Json, method: str, action: str, body: Any
) -> None:
    path = f"/admin/v1/interviews/{interview['id']}{action}"
    await refused_then_confirmed(client, editor, interview, method, path, body)


async def test_series_and_people_writes_need_it_too(
    client: Client, editor: Headers, series: Json, lauri: Json
) -> None:
    series_path, person_path = f"/admin/v1/series/{series['id']}", f"/admin/v1/people/{lauri['id']}"
    await refused_then_confirmed(client, editor, series, "PATCH", series_path, {"title": "x"})
    await refused_then_confirmed(client, editor, lauri, "PATCH", person_path, {"name": "x"})


async def test_a_star_confirms_any_version(client: Client, editor: Headers, series: Json) -> None:
    response = await client.patch(
        f"/admin/v1/series/{series['id']}", json={"title": "x"}, headers={**editor, "If-Match": "*"}
    )
    assert response.status_code == 200, response.text


async def test_creating_needs_no_if_match(client: Client, editor: Headers) -> None:
    response = await client.post("/admin/v1/people", json={"name": "Murad"}, headers=editor)
    assert response.status_code == 201, response.text
