"""Payloads of the token resource."""

from typing import Annotated

import msgspec

from app.auth import Role, Token
from app.schemas import Base


class TokenCreate(Base):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    role: Role


class IssuedToken(Base):
    """A new token with its secret: the only time the secret is shown."""

    token: Token
    secret: str
