"""Demo data: the first "Thursday Interview", as a news site published it."""

from datetime import datetime

import asyncpg

from app.interviews.queries import (
    StatusChange,
    insert_interview,
    insert_pull_quote,
    replace_participants,
    update_interview,
    upsert_teaser,
)
from app.interviews.rules import prepare_body
from app.interviews.schemas import (
    Answer,
    Block,
    Paragraph,
    ParticipantIn,
    PullQuoteCreate,
    Question,
)
from app.people.queries import insert_person
from app.people.schemas import PersonCreate
from app.series.queries import insert_series
from app.series.schemas import Cadence, SeriesCreate

VISIT = (
    "Last September Murad Muradov was the first Azerbaijani civil society activist to visit "
    "Armenia after the 44 day war."
)
ANSWER = (
    "My experience was largely positive. My negative expectations luckily didn’t play out. "
    "The discussions were respectful, the panel format bringing together experts from Armenia, "
    "Azerbaijan, and Turkey was particularly valuable during the NATO Rose-Roth Seminar in "
    "Yerevan, and media coverage, while varied in tone, remained largely constructive."
)
TEASER = (
    "Today, commonspace.eu starts a new regular weekly series. THURSDAY INTERVIEW, conducted by "
    "Lauri Nikulainen, will host persons who are thinkers, opinion shapers, and implementors in "
    "their countries and spheres. We start the series with an interview with Murad Muradov, a "
    "leading person in Azerbaijan's think tank community. Speaking about his visit to Armenia "
    f'Murad Muradov said: "{ANSWER}"'
)


async def load_demo(db: asyncpg.Connection, now: datetime) -> str:
    """Load the demo once; say what happened."""
    if await db.fetchval("SELECT EXISTS (SELECT 1 FROM series WHERE slug = 'thursday-interview')"):
        return "the demo data is already there"
    async with db.transaction():
        thursdays = SeriesCreate(
            title="Thursday Interview",
            description="Thinkers, opinion shapers and implementors, every Thursday.",
            cadence=Cadence(
                rrule="FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0", timezone="Europe/Brussels"
            ),
            visibility="public",
        )
        series = await insert_series(db, thursdays, "thursday-interview", now)
        host = PersonCreate(
            name="Lauri Nikulainen",
            headline="Host of the Thursday Interview",
            affiliation="commonspace.eu",
        )
        lauri = await insert_person(db, host, "lauri-nikulainen", now)
        guest = PersonCreate(
            name="Murad Muradov",
            headline="A leading person in Azerbaijan's think tank community",
            affiliation="Action Committee for a new Armenian-Azerbaijani Dialogue",
        )
        murad = await insert_person(db, guest, "murad-muradov", now)
        blocks: list[Block] = [
            Paragraph(text=VISIT),
            Question(speaker_id=lauri.id, text="How was your visit to Yerevan?"),
            Answer(id="visit", speaker_id=murad.id, text=ANSWER),
        ]
        body = prepare_body(blocks, {lauri.id, murad.id})
        interview_id = await insert_interview(
            db,
            series_id=series.id,
            slug="thursday-interview-murad-muradov",
            title="Thursday Interview: Murad Muradov",
            standfirst="",
            body=body,
            image=None,
            tags=["Armenia", "Azerbaijan", "peace process"],
            created_by=None,  # made by the command line, not through a token
            now=now,
        )
        await replace_participants(
            db,
            interview_id,
            [
                ParticipantIn(person_id=lauri.id, role="interviewer"),
                ParticipantIn(person_id=murad.id, role="interviewee"),
            ],
        )
        await upsert_teaser(db, interview_id, "card", TEASER)
        quote = PullQuoteCreate(
            text="My negative expectations luckily didn’t play out.",
            speaker_id=murad.id,
            block_id="visit",
            featured=True,
        )
        await insert_pull_quote(db, interview_id, quote, now)
        published = StatusChange(status="published", published_at=now)
        await update_interview(db, interview_id, published, now)
    return "loaded the Thursday Interview with Murad Muradov"
