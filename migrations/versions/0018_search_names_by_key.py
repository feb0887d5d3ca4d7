"""Search documents find their people's names by key, whatever the planner knows.

`refresh_interview_search` joined an interview's participants to the people table. Right after
a bulk import (tables never analysed) the planner expects dozens of participants an interview
and hashes the whole people table once for each interview refreshed: 10,000 interviews
imported with 20,000 people took 14 s a statement (participants, teasers and quotes each
refresh them all), 100,000 took most of eight minutes. Each participant's name is now read
through the people table's primary key, which costs the same with or without statistics, and
the names come in the participants' order (before, in whatever order the join gave them).

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"


def refresh_function(names: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION refresh_interview_search(ids uuid[]) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO interview_search (interview_id, published_at, document)
        SELECT i.id, coalesce(i.published_at, i.publish_at),
               setweight(to_tsvector('colloquy_search', search_unaccent(i.title)), 'A')
            || setweight(to_tsvector('colloquy_search', search_unaccent(
                   concat_ws(' ', p.names, s.title, array_to_string(i.tags, ' ')))), 'B')
            || setweight(to_tsvector('simple', search_unaccent(coalesce(p.names, ''))), 'B')
            || setweight(to_tsvector('colloquy_search', search_unaccent(
                   concat_ws(' ', i.standfirst, t.texts, q.texts))), 'C')
            || setweight(to_tsvector('colloquy_search', search_unaccent(
                   search_body_text(i.body))), 'D')
          FROM interviews i
          JOIN series s ON s.id = i.series_id
          LEFT JOIN LATERAL ({names}) p ON true
          LEFT JOIN LATERAL (
              SELECT string_agg(text, ' ') AS texts FROM teasers WHERE interview_id = i.id) t
            ON true
          LEFT JOIN LATERAL (
              SELECT string_agg(text, ' ') AS texts FROM pull_quotes WHERE interview_id = i.id) q
            ON true
         WHERE i.id = ANY (ids)
        ON CONFLICT (interview_id) DO UPDATE
           SET published_at = EXCLUDED.published_at, document = EXCLUDED.document
    $$
    """


# In the participants' order, so that a document no longer depends on the plan that read it.
BY_KEY = """
    SELECT string_agg((SELECT pe.name FROM people pe WHERE pe.id = ip.person_id), ' '
                      ORDER BY ip.position) AS names
      FROM interview_participants ip WHERE ip.interview_id = i.id
"""
JOINED = """
    SELECT string_agg(pe.name, ' ') AS names
      FROM interview_participants ip JOIN people pe ON pe.id = ip.person_id
     WHERE ip.interview_id = i.id
"""


def upgrade() -> None:
    op.execute(refresh_function(BY_KEY))


def downgrade() -> None:
    op.execute(refresh_function(JOINED))
