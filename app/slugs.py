"""Slugs made from titles and names, the way a reader would type them."""

import unicodedata

import asyncpg
import regex

# A slug's words are letters, marks and digits of any script; anything else (punctuation, spaces,
# and invisible joiners or bidi controls, which would make two slugs look alike) separates them.
_WORD = r"[\p{L}\p{M}\p{Nd}]+"
_NOT_WORD = regex.compile(r"[^\p{L}\p{M}\p{Nd}]+")
_SLUG = regex.compile(rf"{_WORD}(?:-{_WORD})*")
MAX_LENGTH = 120


def slugify(text: str) -> str:
    """'Thursday Interview: Murad Muradov' -> 'thursday-interview-murad-muradov'.

    Accents on Latin letters are dropped (as WordPress and Ghost do); letters of other scripts
    are kept, so Armenian or Cyrillic names still give readable slugs.
    """
    slug = _NOT_WORD.sub("-", "".join(map(_unaccent, text)).lower()).strip("-")
    return slug[:MAX_LENGTH].rstrip("-") or "untitled"


def is_slug(text: str) -> bool:
    """Lower-case words joined by single hyphens, as `slugify` makes them."""
    return _SLUG.fullmatch(text) is not None and text == text.lower()


def _unaccent(char: str) -> str:
    """'é' -> 'e'; letters of other scripts keep their marks ('й', 'ガ', 'स्')."""
    base = unicodedata.normalize("NFKD", char)[:1]
    return base if base.isascii() and base.isalpha() else char


# The kind of what each table holds, as old slugs are kept (migration 0013).
KINDS = {"interviews": "interview", "series": "series", "people": "person"}


async def unique_slug(db: asyncpg.Connection, table: str, text: str) -> str:
    """A slug for `text` not yet used in `table`, nor kept there as an old slug (its links still
    lead to what had it): 'murad-muradov', else 'murad-muradov-2'..."""
    base = slugify(text)[: MAX_LENGTH - 6]
    taken = {
        row["slug"]
        for row in await db.fetch(
            f"""
            SELECT slug FROM {table} WHERE slug = $1 OR slug LIKE $2
            UNION
            SELECT slug FROM old_slugs WHERE kind = $3 AND (slug = $1 OR slug LIKE $2)
            """,
            base,
            base.replace("%", r"\%").replace("_", r"\_") + "-%",
            KINDS[table],
        )
    }
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)
