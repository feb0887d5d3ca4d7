"""Payloads of the editors' choice list: the curated front-page section."""

from typing import Annotated
from uuid import UUID

import msgspec

from app.schemas import AwareTime, Base


class Choice(Base):
    """One pick; `starts_at` and `ends_at` box it in time when given."""

    interview_id: UUID
    starts_at: AwareTime | None = None
    ends_at: AwareTime | None = None


Choices = Annotated[list[Choice], msgspec.Meta(max_length=50)]
