"""Payloads of webhook subscriptions and their delivery log."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal
from uuid import UUID

import msgspec

from app.outbox import EVENT_TYPES
from app.schemas import Base, Url

# The types a subscription may choose, read from the event union. mypy cannot follow a Literal
# made from values; it sees each as the str it is.
if TYPE_CHECKING:
    EventType = str
else:
    EventType = Literal[EVENT_TYPES]
EventTypes = Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=len(EVENT_TYPES))]


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
