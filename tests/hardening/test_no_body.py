"""A write that needs a body and got none says so, naming the body."""

from tests.factories import Client, Headers, Json
from tests.helpers import problem


async def test_schedule_without_a_body_names_the_body(
    client: Client, editor: Headers, interview: Json
) -> None:
    response = await client.post(f"/admin/v1/interviews/{interview['id']}/schedule", headers=editor)
    body = problem(response, 400)
    assert body["detail"] == "this request needs a JSON body"
    assert body["errors"] == [{"field": "body", "detail": "this request needs a JSON body"}]
