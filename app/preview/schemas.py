"""Payloads of previews: links to an interview as readers will see it, before they can."""

from datetime import datetime
from typing import Annotated

import msgspec

from app.schemas import Base

DEFAULT_DAYS = 7
MAX_DAYS = 30


class PreviewRequest(Base):
    expires_in_days: Annotated[
        int,
        msgspec.Meta(ge=1, le=MAX_DAYS, description="How long the link works, in days."),
    ] = DEFAULT_DAYS


class PreviewLink(Base):
    """A preview link. The token is shown this once; only its hash is kept."""

    token: Annotated[
        str, msgspec.Meta(description="For GET /content/v1/preview/{token}; keep it secret.")
    ]
    url: Annotated[
        str,
        msgspec.Meta(description="The site's preview page for this token (COLLOQUY_PREVIEW_URL)."),
    ]
    expires_at: datetime
