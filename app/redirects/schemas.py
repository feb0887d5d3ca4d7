"""What the Content API says of old slugs."""

from datetime import datetime
from typing import Literal

import msgspec

# What has a slug that links lead to.
Kind = Literal["interview", "series", "person"]


class Redirect(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    """An old slug of a public interview, series or person, and where it leads now."""

    kind: Kind
    from_: str  # the page's URL on the site under the old slug, as cards give `url`
    to: str  # the page's URL under its current slug
    from_slug: str
    to_slug: str
    changed_at: datetime  # when this redirect last changed: made, or led elsewhere


class RedirectPage(msgspec.Struct, kw_only=True):
    items: list[Redirect]
    next_cursor: str | None
