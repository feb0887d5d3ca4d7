"""The editorial calendar as iCalendar, for calendar apps to subscribe to."""

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, get
from litestar.connection import ASGIConnection
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.handlers import BaseRouteHandler
from litestar.params import QueryParameter

from app.auth import Role, authenticate, unauthorized
from app.calendar.ics import MEDIA_TYPE, CalendarEvent, calendar, utc
from app.calendar.queries import (
    CalendarInterview,
    CalendarSeries,
    select_calendar_interviews,
    select_calendar_series,
)
from app.clock import Now
from app.db import Db
from app.errors import not_found, problems
from app.openapi import CALENDAR
from app.redirects.moved import MOVED, follow_old_slug
from app.series.cadence import search_slots
from app.settings import Settings
from app.site import Site

# Open slots are shown this far ahead, and published interviews this far back; the calendar
# holds the earliest MAX_EVENTS events, however many series and slots there are.
WINDOW = timedelta(weeks=8)
MAX_EVENTS = 1000
UID_DOMAIN = "colloquy"
TRUNCATED = "X-Calendar-Truncated"

SeriesParam = Annotated[str | None, QueryParameter(description="a series slug: that series only")]
TokenParam = Annotated[
    str | None,
    QueryParameter(
        description="a token secret, for calendar apps that cannot send an Authorization header"
    ),
]


async def header_or_query_token(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard: a valid, unrevoked token of any role as a bearer token, or a read-only calendar
    token as `?token=`.

    Calendar apps subscribe to a bare URL, so the secret may come in the query string, where
    it can end up in logs and histories: only a token that can do nothing else may."""
    scheme, _, secret = connection.headers.get("authorization", "").partition(" ")
    in_url = scheme.lower() != "bearer"
    if in_url:
        secret = connection.query_params.get("token", "")
    if not secret.strip():
        raise unauthorized("a bearer token or a token query parameter is required")
    token = await authenticate(connection, secret)
    if in_url and token.role != Role.calendar:
        raise unauthorized(
            "only a calendar token may be sent in the URL; send this one as a bearer token"
        )


def _interview_event(
    interview: CalendarInterview, series: CalendarSeries, site: Site
) -> CalendarEvent:
    return CalendarEvent(
        uid=f"{interview.id}@{UID_DOMAIN}",
        stamp=interview.updated_at,
        start=interview.appears_at,
        summary=interview.title,
        description=f"Series: {series.title}\nStatus: {interview.status}",
        url=site.interview(interview.slug),
    )


async def _open_slot_events(
    series: CalendarSeries, taken: set[tuple[UUID, datetime]], now: datetime
) -> list[CalendarEvent]:
    if series.cadence is None or series.status != "active":
        return []
    upcoming = await search_slots(series.cadence, series.created_at, now, MAX_EVENTS, now + WINDOW)
    return [
        CalendarEvent(
            uid=f"slot-{series.id}-{utc(at)}@{UID_DOMAIN}",
            stamp=series.updated_at,
            start=at,
            summary=f"Open slot: {series.title}",
            description=f"Series: {series.title}\nNo interview is scheduled in this slot yet.",
        )
        for at in upcoming
        if (series.id, at) not in taken
    ]


class CalendarController(Controller):
    path = "/admin/v1"
    tags = ["calendar"]
    guards = [header_or_query_token]
    security = CALENDAR

    @get(
        "/calendar.ics",
        summary="Get the editorial calendar",
        media_type=MEDIA_TYPE,
        responses={**problems(401, 404), **MOVED},
        description=(
            "Scheduled interviews, those published in the last eight weeks and the open slots "
            f"of the next eight. At most {MAX_EVENTS} events, the earliest: when more were left "
            f'out, the {TRUNCATED} header is "true" and the calendar\'s X-WR-CALDESC says so.'
        ),
        response_headers=[
            ResponseHeader(
                name=TRUNCATED,
                value="false",
                description=f'"true" when events were left out to keep to {MAX_EVENTS}',
                documentation_only=True,
            )
        ],
    )
    async def get_editorial_calendar(
        self,
        db: Db,
        now: Now,
        settings: NamedDependency[Settings],
        site: NamedDependency[Site],
        series: SeriesParam = None,
        token: TokenParam = None,
    ) -> Response[bytes]:
        """The editorial calendar as iCalendar: scheduled interviews, those published in the
        last eight weeks, and the open slots of the next eight; `series` (a slug) for one."""
        chosen = await select_calendar_series(db, series)
        if series is not None and not chosen:
            await follow_old_slug(db, now, "series", series, "series", "query", newsroom=True)
            raise not_found("series")
        by_id = {s.id: s for s in chosen}
        interviews = await select_calendar_interviews(
            db, chosen[0].id if series is not None else None, now - WINDOW, now, MAX_EVENTS + 1
        )
        taken = {(i.series_id, i.publish_at) for i in interviews if i.publish_at is not None}
        events = [_interview_event(i, by_id[i.series_id], site) for i in interviews]
        for each in chosen:
            events += await _open_slot_events(each, taken, now)
        events.sort(key=lambda event: (event.start, event.uid))
        truncated = len(events) > MAX_EVENTS
        name = (
            f"{settings.site_title}: {chosen[0].title}"
            if series is not None
            else f"{settings.site_title} editorial calendar"
        )
        note = f"Only the earliest {MAX_EVENTS} events are shown." if truncated else ""
        return Response(
            calendar(name, events[:MAX_EVENTS], description=note),
            media_type=MEDIA_TYPE,
            # The calendar is private to the newsroom; no shared cache may keep it.
            headers={"Cache-Control": "private, no-cache", TRUNCATED: str(truncated).lower()},
        )
