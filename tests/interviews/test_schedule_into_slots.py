"""Scheduling into a series' slots through the schedule endpoint."""

from tests.factories import Client, Headers, make_interview, make_person, make_series
from tests.helpers import act


async def test_schedule_into_the_next_slot_and_confirm_the_rest(
    client: Client, editor: Headers
) -> None:
    series = await make_series(client, editor)  # Thursdays 10:00 Brussels; now is one
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    first = await make_interview(client, editor, series, lauri, murad, title="First")
    second = await make_interview(client, editor, series, lauri, murad, title="Second")

    response = await act(client, editor, first, "schedule", slot="next")
    assert response.status_code == 200, response.text
    assert response.json()["publish_at"] == "2026-12-03T09:00:00Z"

    response = await act(client, editor, second, "schedule", publish_at="2026-12-03T10:00:00+01:00")
    assert response.status_code == 409, response.text
    assert response.json()["errors"][0]["field"] == "publish_at"
    assert "taken by “First”" in response.json()["detail"]

    response = await act(client, editor, second, "schedule", publish_at="2026-12-04T10:00:00+01:00")
    assert response.status_code == 409, response.text
    assert "is not a slot of Thursday Interview" in response.json()["detail"]

    response = await act(
        client, editor, second, "schedule", publish_at="2026-12-04T10:00:00+01:00", confirm=True
    )
    assert response.status_code == 200, response.text
    assert response.json()["publish_at"] == "2026-12-04T09:00:00Z"

    response = await act(client, editor, second, "schedule", slot="next")
    assert response.json()["publish_at"] == "2026-12-10T09:00:00Z"
