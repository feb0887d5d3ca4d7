"""Bearer tokens: how they are made and checked, and the role guards of the Admin API."""

import enum
import hashlib
import secrets
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from app.errors import ProblemError
from app.tokens.queries import Token, insert_token, select_active_token_by_hash, touch_token

TOKEN_PREFIX = "cq_"


class Role(enum.StrEnum):
    """Ordered by what they may do; `calendar` may only read the editorial calendar."""

    calendar = "calendar"
    contributor = "contributor"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> bytes:
    # The secret carries 256 random bits, so a fast hash is enough; a slow one would only
    # cost every request time.
    return hashlib.sha256(secret.encode()).digest()


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="colloquy"'})


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any], secret: str) -> Token:
    """The valid, unrevoked token with this secret (401 otherwise), marked as used."""
    state = connection.app.state
    async with state.pool.acquire() as db:
        token = await select_active_token_by_hash(db, hash_secret(secret.strip()))
        if token is None:
            raise unauthorized("the token is invalid or revoked")
        await touch_token(db, token.id, state.clock.now())
    connection.state.actor = Actor(token.id, Role(token.role))
    return token


async def require_token(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard: a valid, unrevoked token whose role is at least the handler's `role` option."""
    scheme, _, secret = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise unauthorized("a bearer token is required")
    token = await authenticate(connection, secret)
    needed: Role = handler.opt.get("role", Role.contributor)
    if Role(token.role).rank < needed.rank:
        raise ProblemError(403, f"this needs the {needed} role; the token has {token.role}")


class Actor(msgspec.Struct, frozen=True):
    """Who makes a request: the token and its role."""

    token_id: UUID
    role: Role


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    actor: Actor = connection.state.actor
    return actor


async def issue_token(
    db: asyncpg.Connection, name: str, role: Role, now: datetime
) -> tuple[Token, str]:
    """A new token and its secret, which is shown this once and never stored."""
    secret = new_secret()
    return await insert_token(db, name, role, hash_secret(secret), now), secret
