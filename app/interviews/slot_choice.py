"""Choosing when a scheduled interview appears: the next free slot of its series, or a chosen
time checked against the slots."""

from datetime import datetime
from uuid import UUID

import asyncpg

from app.errors import ProblemError
from app.interviews.queries import SeriesCadence
from app.interviews.schemas import ScheduleRequest
from app.series.cadence import search_slots, wall_clock
from app.series.schemas import Cadence
from app.series.slots import select_takers

CONFIRM = 'send "confirm": true to schedule it there anyway'


async def choose_publish_at(
    db: asyncpg.Connection,
    interview_id: UUID,
    series: SeriesCadence,
    request: ScheduleRequest,
    now: datetime,
) -> datetime:
    """The publication time that `request` asks for, or a problem saying why it cannot be had.

    Call it while the series is locked (`select_interview_for_scheduling`), so that the slots
    it finds free stay free until the schedule is written."""
    if series.cadence is None:
        if request.publish_at is None:
            detail = f"{series.title} has no cadence, so no slots; give publish_at"
            raise ProblemError(409, detail, field="slot")
        return request.publish_at
    if request.publish_at is None:
        return await _next_free_slot(db, interview_id, series, series.cadence, now)
    if not request.confirm:
        await _check_slot(db, interview_id, series, series.cadence, request.publish_at)
    return request.publish_at


async def _check_slot(
    db: asyncpg.Connection,
    interview_id: UUID,
    series: SeriesCadence,
    cadence: Cadence,
    at: datetime,
) -> None:
    zone = cadence.timezone
    found = await search_slots(cadence, series.created_at, at, 1)
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
            f"({cadence.rrule} in {zone}); "
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
    db: asyncpg.Connection,
    interview_id: UUID,
    series: SeriesCadence,
    cadence: Cadence,
    now: datetime,
) -> datetime:
    # Its own slot counts as free: asking again for the next slot keeps it where it is.
    takers = await select_takers(db, series.id, now, interview_id)
    # Each taker takes at most one slot, and a slot at `now` itself is not the next.
    upcoming = await search_slots(cadence, series.created_at, now, len(takers) + 2)
    for slot in upcoming:
        if slot > now and slot not in takers:
            return slot
    raise ProblemError(
        409, f"{series.title} has no free slot in its cadence within two years", field="slot"
    )
