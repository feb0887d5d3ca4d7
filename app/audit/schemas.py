"""Payloads of the audit trail."""

from datetime import datetime
from uuid import UUID

import msgspec


class AuditEntry(msgspec.Struct, kw_only=True):
    """One audited request: who (token id and name; none for a failed authentication), what
    (`action`: the operation, or `authenticate`), on which resource, with what outcome (the
    HTTP status), and from where."""

    id: int
    at: datetime
    token_id: UUID | None
    token_name: str | None
    action: str
    resource: str
    resource_id: str | None
    outcome: int
    request_id: str | None
    client: str


class AuditList(msgspec.Struct, kw_only=True):
    items: list[AuditEntry]
    next_cursor: str | None
