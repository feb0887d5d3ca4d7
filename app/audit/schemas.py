"""Payloads of the audit trail."""

from datetime import datetime
from uuid import UUID

import msgspec


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One audited request: who (the token; none for a failed authentication), what
    (`action`: the operation, or `authenticate`), on which resource, with what outcome (the
    HTTP status), and from where."""

    at: datetime
    token_id: UUID | None
    action: str
    resource: str
    resource_id: str | None
    outcome: int
    request_id: str | None
    client: str


class AuditEntry(AuditRecord, frozen=True, kw_only=True):
    """A record as the trail gives it back: with its number and its token's name."""

    id: int
    token_name: str | None


class AuditList(msgspec.Struct, kw_only=True):
    items: list[AuditEntry]
    next_cursor: str | None
