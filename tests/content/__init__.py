"""Tests of the public Content API, and the helpers they share to build public data."""

from typing import Any

from app.demo import ANSWER
from tests.factories import Client, Json, created, make_interview, make_person, make_series
from tests.helpers import publish

BASE = "https://news.example"
CONTENT = "/content/v1"
Headers = dict[str, str]


async def get_json(client: Client, path: str, **params: Any) -> Json:
    """GET a public resource that must answer 200."""
    response = await client.get(path, params=params or None)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
    result: Json = response.json()
    return result


def slugs(cards: list[Json]) -> list[str]:
    return [card["slug"] for card in cards]


async def listed(client: Client, **params: Any) -> list[str]:
    """Slugs of /content/v1/interviews with these filters (one page of up to 50)."""
    return slugs((await get_json(client, f"{CONTENT}/interviews", limit=50, **params))["items"])


async def set_teaser(
    client: Client, editor: Headers, interview: Json, text: str, placement: str = "card"
) -> Json:
    response = await client.put(
        f"/admin/v1/interviews/{interview['id']}/teasers/{placement}",
        json={"text": text},
        headers=editor,
    )
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


async def add_quote(
    client: Client, editor: Headers, interview: Json, text: str, speaker: Json, **fields: Any
) -> Json:
    return await created(
        client,
        editor,
        f"/admin/v1/interviews/{interview['id']}/pull-quotes",
        {"text": text, "speaker_id": speaker["id"], **fields},
    )


class World:
    """Small public worlds: people, series and interviews made through the Admin API."""

    def __init__(self, client: Client, editor: Headers) -> None:
        self.client = client
        self.editor = editor
        self.series_by_title: dict[str, Json] = {}
        self.people_by_name: dict[str, Json] = {}

    async def series(self, title: str, **fields: Any) -> Json:
        if title not in self.series_by_title:
            self.series_by_title[title] = await make_series(
                self.client, self.editor, title=title, **fields
            )
        return self.series_by_title[title]

    async def person(self, name: str, **fields: Any) -> Json:
        if name not in self.people_by_name:
            self.people_by_name[name] = await make_person(self.client, self.editor, name, **fields)
        return self.people_by_name[name]

    async def draft(self, series: str, interviewer: str, interviewee: str, **fields: Any) -> Json:
        return await make_interview(
            self.client,
            self.editor,
            await self.series(series),
            await self.person(interviewer),
            await self.person(interviewee),
            **fields,
        )

    async def published(
        self, series: str, interviewer: str, interviewee: str, **fields: Any
    ) -> Json:
        interview = await self.draft(series, interviewer, interviewee, **fields)
        return await publish(self.client, self.editor, interview)


async def thursday_interview(
    client: Client, editor: Headers, *, teaser: str | None = None, publish_it: bool = True
) -> Json:
    """The seed's "Thursday Interview" with Murad Muradov, as app/demo.py builds it, but
    through the Admin API: a paragraph, a question and an answer with emphasis, tags, a
    featured pull quote and (optionally) a card teaser."""
    series = await make_series(
        client,
        editor,
        slug="thursday-interview",
        description="Thinkers, opinion shapers and implementors, every Thursday.",
    )
    lauri = await make_person(
        client,
        editor,
        "Lauri Nikulainen",
        headline="Host of the Thursday Interview",
        affiliation="commonspace.eu",
    )
    murad = await make_person(
        client,
        editor,
        "Murad Muradov",
        headline="A leading person in Azerbaijan's think tank community",
    )
    body = [
        {
            "type": "paragraph",
            "text": "Last September Murad Muradov was the first Azerbaijani civil society "
            "activist to visit Armenia after the 44 day war.",
        },
        {"type": "question", "speaker_id": lauri["id"], "text": "How was your visit to Yerevan?"},
        {
            "type": "answer",
            "id": "visit",
            "speaker_id": murad["id"],
            "text": ANSWER.replace("largely positive", "<em>largely positive</em>", 1),
        },
    ]
    interview = await make_interview(
        client,
        editor,
        series,
        lauri,
        murad,
        body=body,
        tags=["Armenia", "Azerbaijan", "peace process"],
    )
    await add_quote(
        client,
        editor,
        interview,
        "My negative expectations luckily didn’t play out.",
        murad,
        block_id="visit",
        featured=True,
    )
    if teaser is not None:
        await set_teaser(client, editor, interview, teaser)
    if publish_it:
        interview = await publish(client, editor, interview)
    return {**interview, "series": series, "lauri": lauri, "murad": murad}
