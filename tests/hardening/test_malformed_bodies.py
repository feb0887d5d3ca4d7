"""Request bodies no JSON parser should choke on: any depth, any bytes, always a 400 problem.

The nesting stays under the test app's 64 KiB body limit; it is far deeper than the
interpreter's recursion limit."""

import pytest

from tests.factories import Client

SERIES = "/admin/v1/series"

MALFORMED = {
    "deeply nested arrays": b"[" * 30_000 + b"]" * 30_000,
    "deeply nested objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "nested arrays in a field": b'{"title": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
    "byte 0xFF": b'{"title": "\xff"}',
    "a raw surrogate": b'{"title": "\xed\xa0\x80"}',
    "truncated": b'{"title": "Thurs',
    "not JSON": b"title=Thursday",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_json_body_is_a_400_problem(
    client: Client, editor: dict[str, str], body: bytes
) -> None:
    headers = {**editor, "Content-Type": "application/json"}
    response = await client.post(SERIES, content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 400
    assert response.json()["detail"]
