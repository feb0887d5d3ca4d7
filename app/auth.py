"""Bearer tokens: how they are made and checked, and the role guards of the Admin API.

The token SQL that checking needs is here; the Admin API's listing and revoking of tokens is in
app.tokens."""

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
from app.schemas import Base

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


class Token(Base):
    """An API token as listed; the secret itself is never stored."""

    id: UUID
    name: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


TOKEN_COLUMNS = "id, name, role, created_at, last_used_at, revoked_at"


def _token(row: asyncpg.Record) -> Token:
    return msgspec.convert(row, Token, from_attributes=True)


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> bytes:
    # The secret carries 256 random bits, so a fast hash is enough; a slow one would only
    # cost every request time.
    return hashlib.sha256(secret.encode()).digest()


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="colloquy"'})


async def insert_token(
    db: asyncpg.Connection, name: str, role: Role, secret_hash: bytes, now: datetime
) -> Token:
    row = await db.fetchrow(
        f"""
        INSERT INTO tokens (name, role, secret_hash, created_at)
        VALUES ($1, $2, $3, $4)
        RETURNING {TOKEN_COLUMNS}
        """,
        name,
        role,
        secret_hash,
        now,
    )
    return _token(row)


async def use_token(db: asyncpg.Connection, secret_hash: bytes, now: datetime) -> Token | None:
    """The unrevoked token with this secret, marked as used now: in one statement, as every
    admin request asks. At most one write a minute per token, so that reads do not each cost
    a write."""
    row = await db.fetchrow(
        f"""
        WITH found AS (
            SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_hash = $1 AND revoked_at IS NULL
        ), touched AS (
            UPDATE tokens SET last_used_at = $2
              FROM found
             WHERE tokens.id = found.id
               AND (found.last_used_at IS NULL
                    OR found.last_used_at < $2::timestamptz - interval '1 minute')
        )
        SELECT * FROM found
        """,
        secret_hash,
        now,
    )
    return None if row is None else _token(row)


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any], secret: str) -> Token:
    """The valid, unrevoked token with this secret (401 otherwise), marked as used."""
    state = connection.app.state
    async with state.pool.acquire() as db:
        token = await use_token(db, hash_secret(secret.strip()), state.clock.now())
    if token is None:
        raise unauthorized("the token is invalid or revoked")
    connection.state.actor = Actor(token.id, token.role)
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
    if token.role.rank < needed.rank:
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
