"""Audit records: every admin write, whatever its outcome, and every failed authentication.

A record is written once the answer has been sent, from what the request left in its scope:
the token the guard found, the route's handler (the action, e.g. `update_interview`), the path
parameters (which resource), the status (the outcome), the request id and the client address
(per the trusted-proxy rule). Bodies are not kept, so no token or webhook secret ever is.

Failed authentications come from anyone, so they are bounded: at most FAILURES_PER_MINUTE
records per client a minute, and one log line per client a minute saying how many there were.
"""

import contextlib
import logging
from collections import OrderedDict
from typing import Any

import asyncpg
import msgspec

from app.asgi import App, Message, Receive, Scope, Send
from app.audit.schemas import AuditRecord
from app.clock import Clock
from app.errors import DATABASE_UNAVAILABLE
from app.logs import request_id
from app.proxies import TrustedProxies

AUTHENTICATE = "authenticate"
FAILURES_PER_MINUTE = 60
CLIENTS_TRACKED = 10_000  # failed-authentication counts kept, least recent dropped first
CREATED_MAX_BYTES = 1024 * 1024  # a created resource's answer read for its id, at most
READS = ("GET", "HEAD", "OPTIONS")

log = logging.getLogger("colloquy.audit")


class _Created(msgspec.Struct):
    id: str | None = None


class AuditRecorder:
    def __init__(self, clock: Clock, proxies: TrustedProxies) -> None:
        self.clock = clock
        self.proxies = proxies
        self.failures: OrderedDict[str, tuple[int, int]] = OrderedDict()  # client: minute, count

    async def __call__(
        self, pool: asyncpg.Pool, scope: Scope, receive: Receive, send: Send, app: App
    ) -> None:
        status, created = 0, bytearray()

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif status == 201 and len(created) <= CREATED_MAX_BYTES:
                created.extend(message.get("body", b""))
            await send(message)

        await app(scope, receive, observe)
        record = self._record(scope, status, bytes(created))
        if record is not None:
            with contextlib.suppress(*DATABASE_UNAVAILABLE):  # the answer has gone already
                await insert_record(pool, record)

    def _record(self, scope: Scope, status: int, created: bytes) -> AuditRecord | None:
        handler = scope.get("route_handler")
        client = self.proxies.address(_peer(scope), scope["headers"])
        if status == 401:
            if not self._counts(client):
                return None
            action = AUTHENTICATE
        elif scope["method"] in READS or handler is None:
            return None
        else:
            action = handler.handler_name
        actor = (scope.get("state") or {}).get("actor")
        return AuditRecord(
            at=self.clock.now(),
            token_id=actor.token_id if actor is not None else None,
            action=action,
            resource=_resource(scope["path"]),
            resource_id=_resource_id(scope.get("path_params") or {}, created),
            outcome=status,
            request_id=request_id.get(),
            client=client,
        )

    def _counts(self, client: str) -> bool:
        """Whether this failed authentication is recorded; logs the first of each minute."""
        minute = int(self.clock.now().timestamp() // 60)
        last_minute, count = self.failures.pop(client, (minute, 0))
        if last_minute != minute:
            count = 0
        count += 1
        self.failures[client] = (minute, count)
        if len(self.failures) > CLIENTS_TRACKED:
            self.failures.popitem(last=False)
        if count == 1:
            log.warning("failed authentication", extra={"client": client})
        elif count == FAILURES_PER_MINUTE + 1:
            log.warning(
                "failed authentications over the limit; not recorded until the next minute",
                extra={"client": client, "limit": FAILURES_PER_MINUTE},
            )
        return count <= FAILURES_PER_MINUTE


async def insert_record(pool: asyncpg.Pool, record: AuditRecord) -> None:
    await pool.execute(
        """
        INSERT INTO audit_records
               (at, token_id, action, resource, resource_id, outcome, request_id, client)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """,
        *msgspec.structs.astuple(record),
    )


def _peer(scope: Scope) -> str | None:
    peer = scope.get("client")
    return peer[0] if peer else None


def _resource(path: str) -> str:
    """`interviews` for /admin/v1/interviews/{id}/publish: the kind of resource acted on."""
    parts = path.split("/")
    return parts[3] if len(parts) > 3 and parts[3] else "admin"


def _resource_id(path_params: dict[str, Any], created: bytes) -> str | None:
    """The first id in the path, else the id of what was just created."""
    for name, value in path_params.items():
        if name.endswith("_id"):
            return str(value)
    if created:
        with contextlib.suppress(msgspec.DecodeError):
            return msgspec.json.decode(created, type=_Created).id
    return None
