"""When an interview is public: the publication rule, written once.

An interview is public when it is published, or scheduled with its time come. The rule is
applied as rows are read, so nothing waits for a job to run: a scheduled interview whose time has
come reads as published, with its publish_at as published_at, before the worker stores it so
(`publish_when_due`).

The fragments are SQL for statements in which the interview is `i` and now is `$1`.
"""

from datetime import datetime
from uuid import UUID

import asyncpg

# Scheduled, and its time has come.
_DUE = "(i.status = 'scheduled' AND i.publish_at <= $1)"

# Public: what readers, feeds and webhooks see. Written so that it implies the predicate of the
# indexes on PUBLISHED_AT (status IN ('published', 'scheduled')).
PUBLIC = f"((i.status = 'published' OR {_DUE}) AND i.deleted_at IS NULL)"

# Scheduled, its time still to come: the next change the public view makes by itself.
UPCOMING = "(i.status = 'scheduled' AND i.publish_at > $1)"

# The status as the rule reads it.
EFFECTIVE_STATUS = f"(CASE WHEN {_DUE} THEN 'published' ELSE i.status END)"

# published_at as the rule reads it: none until the interview has appeared.
EFFECTIVE_PUBLISHED_AT = f"coalesce(i.published_at, CASE WHEN {_DUE} THEN i.publish_at END)"

# When a public interview appeared (its first publication, else its scheduled time, which has
# come), and so the order of everything public; for one not public yet, when it is planned to.
# The expression of the indexes interviews_public_idx and interviews_series_public_idx.
PUBLISHED_AT = "coalesce(i.published_at, i.publish_at)"


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
