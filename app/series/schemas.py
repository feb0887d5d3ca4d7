"""Payloads of the series resource."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from app.schemas import Base, LongText, Slug, Title

SeriesStatus = Literal["active", "paused", "ended"]
# public: listed and open; unlisted: open at its URLs but not listed (series list, front page);
# hidden: nothing about it or its interviews is public.
Visibility = Literal["public", "unlisted", "hidden"]


class Cadence(Base):
    """When a series appears: an iCalendar RRULE read in an IANA timezone."""

    rrule: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=500,
            examples=["FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0"],
            description="An RFC 5545 RRULE with a slot in the two years from when it is given "
            "and no two slots less than an hour apart",
        ),
    ]
    timezone: Annotated[
        str, msgspec.Meta(min_length=1, max_length=64, examples=["Europe/Brussels"])
    ]


class Series(Base):
    id: UUID
    slug: str
    title: str
    description: str
    cadence: Cadence | None
    status: SeriesStatus
    visibility: Visibility
    version: int
    created_at: datetime
    updated_at: datetime


class SeriesCreate(Base):
    title: Title
    slug: Slug | None = None
    description: LongText = ""
    cadence: Cadence | None = None
    status: SeriesStatus = "active"
    # A new series is prepared unseen, as under embargo, until it is made public.
    visibility: Visibility = "hidden"


class SeriesUpdate(Base):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    slug: Slug | msgspec.UnsetType = msgspec.UNSET
    description: LongText | msgspec.UnsetType = msgspec.UNSET
    cadence: Cadence | msgspec.UnsetType | None = msgspec.UNSET
    status: SeriesStatus | msgspec.UnsetType = msgspec.UNSET
    visibility: Visibility | msgspec.UnsetType = msgspec.UNSET


class SeriesList(Base):
    items: list[Series]
    next_cursor: str | None


class SlotInterview(Base):
    """The interview scheduled in a slot."""

    id: UUID
    slug: str
    title: str
    status: Literal["scheduled", "published"]


class Slot(Base):
    """A publication time the cadence makes, and what is scheduled in it."""

    publish_at: datetime  # UTC
    local: str  # the series' wall-clock time with its offset, e.g. 2026-12-03T10:00:00+01:00
    interview: SlotInterview | None


class SeriesSlots(Base):
    series_id: UUID
    cadence: Cadence
    items: list[Slot]
