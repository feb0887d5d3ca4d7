"""A bulk import in one transaction (a site moved from another system, by SQL) is not limited by
the slug history's locking: it takes one lock per kind, not one per row, and PostgreSQL's lock
table holds a few thousand."""

import asyncpg
import pytest


@pytest.mark.slow  # ~10 s of writing and emptying
async def test_twenty_thousand_people_in_one_statement(db: asyncpg.Connection) -> None:
    await db.execute(
        """
        INSERT INTO people (slug, name, created_at, updated_at)
        SELECT 'person-' || n, 'Person ' || n, now(), now() FROM generate_series(1, 20000) n
        """
    )
    await db.execute(
        "UPDATE people SET slug = slug || '-renamed', updated_at = now() WHERE slug LIKE 'person-%'"
    )
    assert await db.fetchval("SELECT count(*) FROM old_slugs WHERE kind = 'person'") == 20000
