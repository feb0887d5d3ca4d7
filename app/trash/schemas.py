"""Payloads of the trash: what was deleted, and what a restore gave back."""

import enum
from datetime import datetime
from uuid import UUID

import msgspec


class Kind(enum.StrEnum):
    """What can be in the trash; each is also the name of its table and of its admin path."""

    interviews = "interviews"
    series = "series"
    people = "people"


class TrashItem(msgspec.Struct, kw_only=True):
    """A deleted interview, series or person: `title` is a person's name. It is purged at
    `purge_at` (COLLOQUY_TRASH_DAYS after it was deleted), or at the worker's next round after
    that once no interview in the trash still names it."""

    kind: Kind
    id: UUID
    title: str
    slug: str
    deleted_at: datetime
    deleted_by: UUID | None  # the token that deleted it
    purge_at: datetime


class TrashList(msgspec.Struct, kw_only=True):
    items: list[TrashItem]
    next_cursor: str | None


class Restored(msgspec.Struct, kw_only=True):
    """What a restore gave back, at its slug: its old one, unless something else took that
    meanwhile (then `slug_changed_from` names the old one)."""

    kind: Kind
    id: UUID
    slug: str
    slug_changed_from: str | None
