"""Payloads of search."""

from typing import Annotated

import msgspec

from app.content.schemas import Card, Public

# The most characters of what a reader types into a search box (`q`); longer is refused (400),
# not cut: a cut query would find what was not asked for.
TYPED_MAX_LENGTH = 200


class SearchHit(Public):
    """One interview found, its card and where the words were found."""

    card: Card
    rank: Annotated[
        float, msgspec.Meta(description="Relevance: higher is better; for ordering only.")
    ]
    snippet: Annotated[
        str,
        msgspec.Meta(
            description="HTML: passages around the words found, each found word in `<mark>`; "
            "`<mark>` is the only markup, all other text is escaped (`&lt;`, `&amp;`)."
        ),
    ]


class SearchPage(Public):
    """Hits, best first; `next_cursor` gives the next page (null on the last)."""

    items: list[SearchHit]
    next_cursor: str | None
