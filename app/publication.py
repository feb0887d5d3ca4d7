"""When an interview is public: the publication rule, written once.

An interview is public when it is published, or scheduled with its time come, and its series is
not hidden (an unlisted series' interviews are public; its listing is the Content API's). The
rule is
applied as rows are read, so nothing waits for a job to run: a scheduled interview whose time has
come reads as published, with its publish_at as published_at, before the worker stores it so
(`publish_when_due`).

The fragments are SQL for statements in which the interview is `i` and now is `$1`.
"""

from datetime import datetime
from uuid import UUID

import asyncpg

from app.outbox import InterviewHidden, InterviewPublished, insert_event

# Scheduled, and its time has come.
_DUE = "(i.status = 'scheduled' AND i.publish_at <= $1)"

# Published, or scheduled with its time come: it has appeared, unless its series is hidden.
_APPEARED = f"(i.status = 'published' OR {_DUE})"

_SERIES_SHOWN = (
    "NOT EXISTS (SELECT 1 FROM series hidden"
    " WHERE hidden.id = i.series_id AND hidden.visibility = 'hidden')"
)

# When a public interview appeared (its first publication, else its scheduled time, which has
# come), and so the order of everything public; for one not public yet, when it is planned to.
# The expression of the indexes interviews_public_idx and interviews_series_public_idx.
PUBLISHED_AT = "coalesce(i.published_at, i.publish_at)"

# Public: what readers, feeds and webhooks see. Written so that it implies the predicate of the
# indexes on PUBLISHED_AT (status IN ('published', 'scheduled')).
PUBLIC = f"({_APPEARED} AND {_SERIES_SHOWN} AND i.deleted_at IS NULL)"

# True of every public interview (what appeared did so at or before now), and written for the
# newest-first walks of the indexes on PUBLISHED_AT: they then start at now instead of stepping
# over every interview scheduled ahead (1,000 of them cost a front page 5 ms). Not part of
# PUBLIC, where the planner would AND it into bitmap scans that it makes slower.
APPEARED_BY_NOW = f"{PUBLISHED_AT} <= $1"

# Scheduled, its time still to come: the next change the public view makes by itself.
UPCOMING = "(i.status = 'scheduled' AND i.publish_at > $1)"

# The status as the rule reads it.
EFFECTIVE_STATUS = f"(CASE WHEN {_DUE} THEN 'published' ELSE i.status END)"

# published_at as the rule reads it: none until the interview has appeared.
EFFECTIVE_PUBLISHED_AT = f"coalesce(i.published_at, CASE WHEN {_DUE} THEN i.publish_at END)"


async def publish_when_due(db: asyncpg.Connection, now: datetime, interview_id: UUID) -> None:
    """Store a due scheduled publication as published. Readers already saw it as published;
    the write tells every instance's cache (NOTIFY) and keeps the row honest."""
    await db.execute(
        f"""
        UPDATE interviews i
           SET status = 'published', published_at = {PUBLISHED_AT},
               version = version + 1, updated_at = $1
         WHERE i.id = $2 AND {_DUE}
        """,
        now,
        interview_id,
    )


async def announce_series_visibility(
    db: asyncpg.Connection, now: datetime, series_id: UUID, before: str, after: str
) -> None:
    """A series hidden hides its interviews that have appeared, and shown again shows them:
    each is announced, as hidden or as published, in the transaction of the change."""
    if (before == "hidden") == (after == "hidden"):
        return  # public <-> unlisted: every interview stays public
    event = InterviewHidden if after == "hidden" else InterviewPublished
    rows = await db.fetch(
        f"SELECT i.id FROM interviews i WHERE i.series_id = $2 AND {_APPEARED}", now, series_id
    )
    for row in rows:
        await insert_event(db, event(interview_id=row["id"]), now)
