"""Admin API for tokens (admin role only)."""

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from app.auth import Role, Token, issue_token, require_token
from app.clock import Now
from app.db import Db
from app.errors import not_found, problems
from app.openapi import ADMIN, Idempotent
from app.tokens.queries import revoke_token, select_tokens
from app.tokens.schemas import IssuedToken, TokenCreate


class TokenController(Controller):
    path = "/admin/v1/tokens"
    tags = ["tokens"]
    guards = [require_token]
    security = ADMIN
    opt = {"role": Role.admin}

    @get("/", summary="List tokens", responses=problems(401, 403))
    async def list_tokens(self, db: Db) -> list[Token]:
        """All tokens, revoked ones included; secrets are never shown again."""
        return await select_tokens(db)

    @post(
        "/",
        summary="Issue a token",
        responses=problems(400, 401, 403, 413, 422),
        operation_class=Idempotent,
    )
    async def create_token(self, db: Db, now: Now, data: JSONBody[TokenCreate]) -> IssuedToken:
        """Issue a token; its secret is in this response only."""
        token, secret = await issue_token(db, data.name, data.role, now)
        return IssuedToken(token=token, secret=secret)

    @delete("/{token_id:uuid}", summary="Revoke a token", responses=problems(401, 403, 404))
    async def revoke_token(self, db: Db, now: Now, token_id: FromPath[UUID]) -> None:
        """Revoke a token; requests with it fail from now on."""
        if await revoke_token(db, token_id, now) is None:
            raise not_found("token")
