"""Scheduling into a series' slots: the next free one, or a chosen time checked against them."""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from app.errors import ProblemError, not_found
from app.interviews.lifecycle import TRANSITIONS
from app.interviews.schemas import ScheduleRequest
from app.publication import EFFECTIVE_STATUS
from app.series.cadence import search_slots, wall_clock
from app.series.schemas import Cadence
from app.series.slots import select_takers

CONFIRM = 'send "confirm": true to schedule it there anyway'


class _Series(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    title: str
    cadence: Cadence
    created_at: datetime  # its local day is where its rule starts


async def resolve_slot(
    db: asyncpg.Connection, interview_id: UUID, data: ScheduleRequest, now: datetime
) -> datetime:
    """The publication time that `data` asks for, or a problem saying why it cannot be had.

    Call it in the transaction that schedules the interview: it locks the series, so that two
    editors never both get the same free slot."""
    if data.publish_at is None and data.slot is None:
        raise ProblemError(400, 'give publish_at, or "slot": "next"', field="publish_at")
    if data.publish_at is not None and data.slot is not None:
        raise ProblemError(400, "give publish_at or slot, not both", field="slot")
    if data.publish_at is not None and data.publish_at <= now:
        raise ProblemError(422, "publish_at must be in the future", field="publish_at")
    row = await db.fetchrow(
        f"""
        SELECT i.series_id, s.title AS series_title, s.cadence_rrule, s.cadence_timezone,
               s.created_at AS series_created_at, {EFFECTIVE_STATUS} AS status
          FROM interviews i JOIN series s ON s.id = i.series_id
         WHERE i.id = $2
           FOR NO KEY UPDATE OF s
        """,
        now, interview_id,
    )  # fmt: skip
    if row is None:
        raise not_found("interview")
    if "schedule" not in TRANSITIONS[row["status"]]:
        # Refused whatever the time: the lifecycle says which moves its status allows.
        return data.publish_at or now
    if row["cadence_rrule"] is None:
        if data.publish_at is None:
            raise ProblemError(
                409, f"{row['series_title']} has no cadence, so no slots; give publish_at",
                field="slot",
            )  # fmt: skip
        return data.publish_at
    series = _Series(
        id=row["series_id"],
        title=row["series_title"],
        cadence=Cadence(rrule=row["cadence_rrule"], timezone=row["cadence_timezone"]),
        created_at=row["series_created_at"],
    )
    if data.publish_at is None:
        return await _next_free_slot(db, interview_id, series, now)
    if not data.confirm:
        await _check_slot(db, interview_id, series, data.publish_at)
    return data.publish_at


async def _check_slot(
    db: asyncpg.Connection, interview_id: UUID, series: _Series, at: datetime
) -> None:
    zone = series.cadence.timezone
    found = await search_slots(series.cadence, series.created_at, at, 1)
    slot = found[0] if found else None
    if slot != at:
        following = (
            "it has no later slot within two years"
            if slot is None
            else f"the next is {wall_clock(slot, zone)}"
        )
        raise ProblemError(
            409,
            f"{wall_clock(at, zone)} is not a slot of {series.title} "
            f"({series.cadence.rrule} in {zone}); "
            f"{following}; {CONFIRM}",
            field="publish_at",
        )
    takers = await select_takers(db, series.id, at, interview_id)
    if at in takers:
        raise ProblemError(
            409,
            f"the slot {wall_clock(at, zone)} is taken by “{takers[at]}”; {CONFIRM}",
            field="publish_at",
        )


async def _next_free_slot(
    db: asyncpg.Connection, interview_id: UUID, series: _Series, now: datetime
) -> datetime:
    # Its own slot counts as free: asking again for the next slot keeps it where it is.
    takers = await select_takers(db, series.id, now, interview_id)
    # Each taker takes at most one slot, and a slot at `now` itself is not the next.
    upcoming = await search_slots(series.cadence, series.created_at, now, len(takers) + 2)
    for slot in upcoming:
        if slot > now and slot not in takers:
            return slot
    raise ProblemError(
        409, f"{series.title} has no free slot in its cadence within two years", field="slot"
    )
