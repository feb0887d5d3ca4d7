"""The language search stems in: the site's (COLLOQUY_SITE_LANGUAGE), set as the service starts.

The documents are built by triggers inside the database, which knows nothing of the settings;
the text search configuration `colloquy_search` carries the language for them. Changing the
language rebuilds every document (in one transaction, so a search never mixes the two).
"""

import asyncio

import asyncpg

from app.errors import DATABASE_UNAVAILABLE

RETRY_SECONDS = 5.0
# The schema has no search yet (not migrated), or the database is away.
NOT_YET = (asyncpg.UndefinedFunctionError, asyncpg.UndefinedObjectError, *DATABASE_UNAVAILABLE)

# PostgreSQL's stemming configurations, by the language's ISO 639-1 code.
CONFIGURATIONS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


async def use_site_language(db: asyncpg.Connection | asyncpg.Pool, site_language: str) -> bool:
    """Stem in the site's language ("en", "fr-BE"), or not at all ('simple') for a language
    PostgreSQL has no stemmer for (or this server lacks); whether the documents were rebuilt."""
    wanted = CONFIGURATIONS.get(site_language.split("-")[0].lower(), "simple")
    return bool(
        await db.fetchval(
            """
            SELECT use_search_language(
                   coalesce((SELECT oid FROM pg_ts_config WHERE cfgname = $1), 'simple'::regconfig))
            """,
            wanted,
        )
    )


async def keep_site_language(pool: asyncpg.Pool, site_language: str) -> None:
    """Set the site's language as soon as the database lets it: a server started with
    `--no-migrate` may come up before the schema has search, and the database may be away."""
    while True:
        try:
            await use_site_language(pool, site_language)
            return
        except (
            asyncpg.UndefinedFunctionError,
            asyncpg.UndefinedObjectError,
            *DATABASE_UNAVAILABLE,
        ):
            await asyncio.sleep(RETRY_SECONDS)
