"""The seed's "Thursday Interview", end to end through the Admin API."""

from typing import Any

from tests.conftest import MovableClock
from tests.factories import Client, make_interview, make_person, make_series


async def test_thursday_interview_from_draft_to_withdrawn(
    client: Client, editor: dict[str, str], clock: MovableClock
) -> None:
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(
        client, editor, "Murad Muradov",
        headline="A leading person in Azerbaijan's think tank community",
    )  # fmt: skip
    interview = await make_interview(client, editor, series, lauri, murad)
    assert interview["status"] == "draft"
    assert interview["slug"] == "thursday-interview-murad-muradov"
    interview_id = interview["id"]

    quote: dict[str, Any] = {
        "text": "largely positive", "speaker_id": murad["id"], "block_id": "visit", "featured": True
    }  # fmt: skip
    response = await client.post(
        f"/admin/v1/interviews/{interview_id}/pull-quotes", json=quote, headers=editor
    )
    assert response.status_code == 201, response.text
    assert response.json()["pull_quotes"][0]["featured"] is True

    response = await client.put(
        f"/admin/v1/interviews/{interview_id}/teasers/card",
        json={"text": "We start the series with Murad Muradov."},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    assert response.json()["teasers"] == {"card": "We start the series with Murad Muradov."}

    response = await client.post(
        f"/admin/v1/interviews/{interview_id}/schedule",
        json={"publish_at": "2026-11-26T11:00:00+01:00", "confirm": True},
        headers={**editor, "If-Match": response.headers["etag"]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "scheduled"

    clock.advance(hours=2)
    response = await client.get(f"/admin/v1/interviews/{interview_id}", headers=editor)
    assert response.json()["status"] == "published"
    assert response.json()["published_at"] == "2026-11-26T10:00:00Z"

    response = await client.post(f"/admin/v1/interviews/{interview_id}/withdraw", headers=editor)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
