"""Admin API for the audit trail (admin role only)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from app.audit.queries import select_records
from app.audit.schemas import AuditList
from app.auth import Role, require_token
from app.db import Db
from app.errors import problems
from app.openapi import ADMIN
from app.pagination import Limit, decode_cursor, split_page

Text = Annotated[str | None, QueryParameter(max_length=200)]


class AuditController(Controller):
    path = "/admin/v1/audit"
    tags = ["audit"]
    guards = [require_token]
    security = ADMIN
    opt = {"role": Role.admin}

    @get("/", summary="Read the audit trail", responses=problems(400, 401, 403))
    async def list_audit_records(
        self,
        db: Db,
        actor: FromQuery[UUID | None] = None,
        resource: Text = None,
        action: Text = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
    ) -> AuditList:
        """Every admin write (whatever its outcome) and every failed authentication, newest
        first: `actor` is a token id, `resource` a kind (`interviews`) or an id, `action` an
        operation (`update_interview`) or `authenticate`; `since` and `until` bound the time.
        Records are kept for COLLOQUY_AUDIT_RETENTION_DAYS."""
        before = decode_cursor(cursor, datetime, int) if cursor else None
        rows = await select_records(
            db,
            actor=actor,
            resource=resource,
            action=action,
            since=since,
            until=until,
            before=before,
            limit=limit + 1,
        )
        items, next_cursor = split_page(rows, limit, lambda r: (r.at, r.id))
        return AuditList(items=items, next_cursor=next_cursor)
