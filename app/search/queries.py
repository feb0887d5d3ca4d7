"""SQL of search: ranked public hits, with their snippets.

The documents, their copy of the publication time and the reading of what was typed
(`search_query`) are in the database (migrations/versions/0012_search.py and
0016_search_published.py), kept by triggers; here they are only read.

A query ranks at most its newest CANDIDATES matches, so that a word found in most of the archive
costs about what a rarer one does (bench/search.py: p50 < 20 ms, p99 < 50 ms at 100,000
interviews); the snippets are cut for the page's hits only.
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
RANK = "ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', d.document, $2::tsquery, 1)"


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


# The oldest candidate a first page ranked (its publication time and id): the pages after it
# rank the matches from it on.
Boundary = tuple[datetime, UUID]


class Hit(msgspec.Struct):
    id: UUID
    rank: float
    snippet: str
    boundary: Boundary


# The longest one search may take in the database, in milliseconds.
SEARCH_TIMEOUT_MS = 2000

# How many matches are ranked at most: the newest. Ranking reads each candidate's document
# (a word in most of 100,000 interviews took ~0.5 s to rank whole), so a query matching more
# ranks its newest 500 matches, and an older interview it also matches is not found by it: a
# rarer word, a phrase or a filter finds it. Narrower queries rank every match.
CANDIDATES = 500

# The candidates' order, on the search table's copy of the publication time (the index
# interview_search_published_idx, migrations/versions/0016_search_published.py).
NEWEST_FIRST = "m.published_at DESC NULLS LAST, m.interview_id DESC"

# What walking the documents newest first costs per document, against what taking a match from
# the index and sorting it costs (each ~2 and ~1 µs at 100,000 interviews).
WALK_COST = 2.0


async def select_hits(
    db: asyncpg.Connection,
    now: datetime,
    typed: str,
    where: PublicFilter,
    after: tuple[float, UUID] | None,
    boundary: Boundary | None,
    limit: int,
) -> list[Hit]:
    """Public interviews matching `typed`, best first (then by id), after the hit `after`.

    A first page (no `after`) ranks the newest CANDIDATES matches, and gives the oldest of them
    as each hit's boundary; the pages after it rank the matches from that `boundary` on: the
    same candidates and any published since, so that a newer match cannot push one out of the
    set between two pages."""
    async with db.transaction():
        # For the statements after this one, in this transaction: a search that escapes its
        # bounds is stopped (asyncpg.QueryCanceledError); each is planned for its own words,
        # whose frequencies decide the plan; jit and parallel workers take longer to start
        # than the statement takes.
        read = await db.fetchrow(
            f"""
            SELECT q, (SELECT reltuples FROM pg_class WHERE oid = 'interview_search'::regclass),
                   set_config('statement_timeout', '{SEARCH_TIMEOUT_MS}', true),
                   set_config('plan_cache_mode', 'force_custom_plan', true),
                   set_config('jit', 'off', true),
                   set_config('max_parallel_workers_per_gather', '0', true)
              FROM search_query($1) AS q WHERE numnode(q) > 0
            """,
            typed,
        )
        if read is None:
            return []
        query, documents = read["q"], read["reltuples"]
        walk = walk_newest_first(await estimate_matches(db, query), documents)
        rows = await db.fetch(*hits_statement(now, query, where, after, boundary, limit, walk))
    return [
        Hit(
            id=row["id"],
            rank=row["rank"],
            snippet=row["snippet"],
            boundary=boundary or (row["boundary_at"], row["boundary_id"]),
        )
        for row in rows
    ]


async def estimate_matches(db: asyncpg.Connection, query: str) -> float:
    """How many documents match `query`, as the planner estimates it from its statistics of the
    lexemes (a count would read every match, which is what is being avoided)."""
    plan = await db.fetchval(
        "EXPLAIN (FORMAT JSON) SELECT FROM interview_search WHERE document @@ $1::tsquery", query
    )
    return float(msgspec.json.decode(plan)[0]["Plan"]["Plan Rows"])


def walk_newest_first(matches: float, documents: float) -> bool:
    """Whether to find the candidates by walking the documents newest first, testing each (it
    touches CANDIDATES / density documents), rather than by sorting every match the index gives
    (it touches matches = density * documents): the cheaper from ~10,000 matches at 100,000
    interviews. The walk leaves the planner free to take a filter's narrower way (a tag, a
    series); the sort holds it to the sort, as it misjudges a walk's cost below that crossing."""
    return matches * matches >= WALK_COST * CANDIDATES * max(documents, 0.0)


def hits_statement(
    now: datetime,
    query: str,
    where: PublicFilter,
    after: tuple[float, UUID] | None,
    boundary: Boundary | None,
    limit: int,
    walk: bool,
) -> tuple[Any, ...]:
    """The statement of select_hits and its arguments. Only the conditions in use are written
    into it (as in select_public_page), so that each combination is planned for itself."""
    args: list[Any] = [now, query]
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
    if boundary is None:  # a first page: the newest matches
        candidates = f"LIMIT {param(CANDIDATES)}"
    else:  # a later page: its first page's candidates, and any match published since
        candidates = ""
        conditions.append(
            f"(m.published_at, m.interview_id) >= ({param(boundary[0])}::timestamptz,"
            f" {param(boundary[1])}::uuid)"
        )
    if walk:
        matches = "interview_search"
        conditions.append("m.document @@ $2::tsquery")
    else:
        # Sorted before the join (OFFSET 0 keeps the planner from merging the two), so that
        # the interviews are read for the newest matches only, until CANDIDATES are public.
        matches = f"""(
            SELECT m.interview_id, m.published_at FROM interview_search m
             WHERE m.document @@ $2::tsquery ORDER BY {NEWEST_FIRST} OFFSET 0)"""
    page = ""
    if after is not None:
        page = f"WHERE (rank, id) < ({param(after[0])}::real, {param(after[1])}::uuid)"
    statement = f"""
        WITH candidates AS (
            SELECT i.id, m.published_at
              FROM {matches} m JOIN interviews i ON i.id = m.interview_id
             WHERE {" AND ".join(conditions)}
             ORDER BY {NEWEST_FIRST} {candidates}
        ),
        boundary AS (SELECT published_at, id FROM candidates ORDER BY published_at, id LIMIT 1),
        ranked AS (
            SELECT c.id, {RANK} AS rank
              FROM candidates c JOIN interview_search d ON d.interview_id = c.id
        ),
        hits AS (SELECT * FROM ranked {page} ORDER BY rank DESC, id DESC LIMIT {param(limit)})
        SELECT hits.id, hits.rank,
               ts_headline('colloquy_search', {SNIPPET_SOURCE}, $2::tsquery,
                           {param(SNIPPET_OPTIONS)}) AS snippet,
               boundary.published_at AS boundary_at, boundary.id AS boundary_id
          FROM hits JOIN interviews i ON i.id = hits.id, boundary
         ORDER BY hits.rank DESC, hits.id DESC
        """
    return statement, *args
