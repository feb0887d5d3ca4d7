"""Admin API for webhook subscriptions and their delivery log (admin role)."""

import secrets
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from app.auth import Role, require_token
from app.clock import Now
from app.db import Db
from app.errors import ProblemError, not_found, problems
from app.openapi import ADMIN, Idempotent
from app.settings import Settings
from app.webhooks.queries import (
    delete_webhook,
    insert_webhook,
    requeue_delivery,
    select_deliveries,
    select_webhook,
    select_webhooks,
    update_webhook,
)
from app.webhooks.schemas import CreatedWebhook, Delivery, Webhook, WebhookCreate, WebhookUpdate
from app.webhooks.targets import refusal


def _check_target(url: str, settings: Settings) -> None:
    if reason := refusal(url, settings.webhook_allow_private):
        raise ProblemError(422, reason, field="url")


class WebhookController(Controller):
    path = "/admin/v1"
    tags = ["webhooks"]
    guards = [require_token]
    security = ADMIN
    opt = {"role": Role.admin}

    @get("/webhooks", summary="List webhooks", responses=problems(401, 403))
    async def list_webhooks(self, db: Db) -> list[Webhook]:
        """All subscriptions (their secrets are shown only when created)."""
        return await select_webhooks(db)

    @post(
        "/webhooks",
        summary="Subscribe a webhook",
        responses=problems(400, 401, 403, 413, 422),
        operation_class=Idempotent,
    )
    async def create_webhook(
        self, db: Db, now: Now, settings: NamedDependency[Settings], data: JSONBody[WebhookCreate]
    ) -> CreatedWebhook:
        """Subscribe a URL to event types; the signing secret is in this response only. Each
        delivery is signed with it and retried with backoff until the subscriber answers 2xx."""
        _check_target(data.url, settings)
        secret = "whsec_" + secrets.token_urlsafe(32)
        data = msgspec.structs.replace(data, event_types=list(dict.fromkeys(data.event_types)))
        webhook = await insert_webhook(db, data, secret, now)
        return CreatedWebhook(**msgspec.structs.asdict(webhook), secret=secret)

    @get("/webhooks/{webhook_id:uuid}", summary="Get a webhook", responses=problems(401, 403, 404))
    async def get_webhook(self, db: Db, webhook_id: FromPath[UUID]) -> Webhook:
        """One subscription."""
        webhook = await select_webhook(db, webhook_id)
        if webhook is None:
            raise not_found("webhook")
        return webhook

    @patch(
        "/webhooks/{webhook_id:uuid}",
        summary="Update a webhook",
        responses=problems(400, 401, 403, 404, 413, 422),
    )
    async def update_webhook(
        self,
        db: Db,
        now: Now,
        settings: NamedDependency[Settings],
        webhook_id: FromPath[UUID],
        data: JSONBody[WebhookUpdate],
    ) -> Webhook:
        """Change the URL, the event types or whether it is active."""
        if data.url is not msgspec.UNSET:
            _check_target(data.url, settings)
        if data.event_types is not msgspec.UNSET:
            event_types = list(dict.fromkeys(data.event_types))
            data = msgspec.structs.replace(data, event_types=event_types)
        webhook = await update_webhook(db, webhook_id, data, now)
        if webhook is None:
            raise not_found("webhook")
        return webhook

    @delete(
        "/webhooks/{webhook_id:uuid}",
        summary="Unsubscribe a webhook",
        responses=problems(401, 403, 404),
    )
    async def delete_webhook(self, db: Db, webhook_id: FromPath[UUID]) -> None:
        """Unsubscribe; pending deliveries are dropped with it."""
        if not await delete_webhook(db, webhook_id):
            raise not_found("webhook")

    @get(
        "/webhooks/{webhook_id:uuid}/deliveries",
        summary="List deliveries",
        responses=problems(400, 401, 403, 404),
    )
    async def list_webhook_deliveries(
        self,
        db: Db,
        webhook_id: FromPath[UUID],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> list[Delivery]:
        """The newest deliveries with every attempt: status, duration, error."""
        if await select_webhook(db, webhook_id) is None:
            raise not_found("webhook")
        return await select_deliveries(db, webhook_id, limit)

    @post(
        "/deliveries/{delivery_id:uuid}/redeliver",
        summary="Redeliver",
        status_code=202,
        media_type="text/plain",
        responses=problems(401, 403, 404),
        operation_class=Idempotent,
    )
    async def redeliver_delivery(
        self, db: Db, now: Now, delivery_id: FromPath[UUID]
    ) -> Response[bytes]:
        """Send one delivery again now."""
        if not await requeue_delivery(db, delivery_id, now):
            raise not_found("delivery")
        return Response(b"", status_code=202, media_type="text/plain")
