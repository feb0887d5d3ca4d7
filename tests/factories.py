"""Build test data through the Admin API, as an editor would."""

from typing import Any

import httpx

Client = httpx.AsyncClient
Json = dict[str, Any]
Headers = dict[str, str]
# Every image set through the API gives its original's size.
IMAGE_SIZE = {"width": 1600, "height": 900}


async def created(client: Client, headers: Headers, path: str, body: Json) -> Json:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: Json = response.json()
    return result


async def make_series(client: Client, headers: Headers, **fields: Any) -> Json:
    body = {
        "title": "Thursday Interview",
        "cadence": {
            "rrule": "FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0",
            "timezone": "Europe/Brussels",
        },
        "visibility": "public",  # most tests are about what the public sees
        **fields,
    }
    return await created(client, headers, "/admin/v1/series", body)


async def make_person(client: Client, headers: Headers, name: str, **fields: Any) -> Json:
    return await created(client, headers, "/admin/v1/people", {"name": name, **fields})


async def make_interview(
    client: Client,
    headers: Headers,
    series: Json,
    interviewer: Json,
    interviewee: Json,
    **fields: Any,
) -> Json:
    """A draft with one question and one answer, ready to publish."""
    body = {
        "series_id": series["id"],
        "title": f"{series['title']}: {interviewee['name']}",
        "participants": [
            {"person_id": interviewer["id"], "role": "interviewer"},
            {"person_id": interviewee["id"], "role": "interviewee"},
        ],
        "body": [
            {"type": "question", "speaker_id": interviewer["id"], "text": "How was your visit?"},
            {
                "type": "answer",
                "id": "visit",
                "speaker_id": interviewee["id"],
                "text": "My experience was <em>largely positive</em>.",
            },
        ],
        **fields,
    }
    return await created(client, headers, "/admin/v1/interviews", body)
