"""Payloads of webhook subscriptions and their delivery log."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from app.schemas import Base, Url

EventType = Literal[
    "interview.scheduled",
    "interview.rescheduled",
    "interview.unscheduled",
    "interview.published",
    "interview.updated",
    "interview.withdrawn",
]
EventTypes = Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=6)]


class Webhook(Base):
    id: UUID
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class CreatedWebhook(Webhook):
    """A new subscription with its signing secret, shown this once."""

    secret: str


class WebhookCreate(Base):
    url: Url
    event_types: EventTypes
    active: bool = True


class WebhookUpdate(Base):
    url: Url | msgspec.UnsetType = msgspec.UNSET
    event_types: EventTypes | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class Attempt(Base):
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None


class Delivery(Base):
    id: UUID
    event_id: UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    log: list[Attempt]
