"""SQL of search: ranked public hits, with their snippets.

The documents and the reading of what was typed (`search_query`) are in the database
(migrations/versions/0012_search.py), kept by triggers; here they are only read.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from app.content.queries import PublicFilter
from app.publication import PUBLIC, PUBLISHED_AT

# ts_rank_cd's weights for D (body), C (standfirst, teasers, quotes), B (names, series, tags)
# and A (title): a word in the title outweighs the same word a dozen times in the body.
# Normalisation 1 divides by the log of the document's length, so that a long body does not
# win by length alone.
RANK = "ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', d.document, query.q, 1)"


def _escaped(text: str) -> str:
    """SQL that escapes the plain text `text` for HTML (ts_headline escapes nothing)."""
    return (
        f"replace(replace(replace(replace({text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),"
        " '\"', '&quot;')"
    )


# What a snippet is cut from, as escaped HTML: the standfirst, teasers and quotes escaped, and
# the body's text, which is escaped HTML already (search_body_text drops only its tags). The
# only markup in a snippet is then the <mark> that ts_headline puts around the words found.
SNIPPET_SOURCE = f"""
    concat_ws(' … ',
        nullif({_escaped("i.standfirst")}, ''),
        (SELECT string_agg({_escaped("t.text")}, ' … ') FROM teasers t
          WHERE t.interview_id = i.id),
        (SELECT string_agg({_escaped("pq.text")}, ' … ' ORDER BY pq.position) FROM pull_quotes pq
          WHERE pq.interview_id = i.id),
        search_body_text(i.body))
"""
SNIPPET_OPTIONS = (
    "StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=12, "
    'FragmentDelimiter=" … "'
)


class Hit(msgspec.Struct):
    id: UUID
    rank: float
    snippet: str


# The longest one search may take in the database, in milliseconds.
SEARCH_TIMEOUT_MS = 2000


async def select_hits(
    db: asyncpg.Connection,
    now: datetime,
    typed: str,
    where: PublicFilter,
    after: tuple[float, UUID] | None,
    limit: int,
) -> list[Hit]:
    """Public interviews matching `typed`, best first (then by id), after the hit `after`.

    Only the conditions in use are written into the statement (as in select_public_page), so
    that each combination is planned for itself."""
    args: list[Any] = [now, typed]
    conditions = [PUBLIC]

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if where.series_slug is not None:
        conditions.append(
            "EXISTS (SELECT 1 FROM series s"
            f" WHERE s.id = i.series_id AND s.slug = {param(where.series_slug)})"
        )
    if where.person_slug is not None:
        conditions.append(
            "EXISTS (SELECT 1 FROM interview_participants ip JOIN people p ON p.id = ip.person_id"
            f" WHERE ip.interview_id = i.id AND p.slug = {param(where.person_slug)})"
        )
    if where.tag is not None:
        conditions.append(f"i.tags @> ARRAY[{param(where.tag)}::text]")
    if where.since is not None:
        conditions.append(f"{PUBLISHED_AT} >= {param(where.since)}")
    if where.until is not None:
        conditions.append(f"{PUBLISHED_AT} < {param(where.until)}")
    page = ""
    if after is not None:
        page = f"WHERE (rank, id) < ({param(after[0])}::real, {param(after[1])}::uuid)"
    async with db.transaction():
        # A word in most of a large archive is ranked match by match: bounded, so that no one
        # query can hold a connection and a core for long (asyncpg.QueryCanceledError beyond).
        await db.execute(f"SET LOCAL statement_timeout = {SEARCH_TIMEOUT_MS}")
        rows = await db.fetch(
            f"""
        WITH query AS (SELECT search_query($2) AS q),
        ranked AS (
            SELECT i.id, {RANK} AS rank
              FROM query, interview_search d JOIN interviews i ON i.id = d.interview_id
             WHERE numnode(query.q) > 0 AND d.document @@ query.q
               AND {" AND ".join(conditions)}
        ),
        hits AS (SELECT * FROM ranked {page} ORDER BY rank DESC, id DESC LIMIT {param(limit)})
        SELECT hits.id, hits.rank,
               ts_headline('colloquy_search', {SNIPPET_SOURCE}, query.q,
                           {param(SNIPPET_OPTIONS)}) AS snippet
          FROM hits JOIN interviews i ON i.id = hits.id, query
         ORDER BY hits.rank DESC, hits.id DESC
        """,
            *args,
        )
    return [Hit(id=row["id"], rank=row["rank"], snippet=row["snippet"]) for row in rows]
