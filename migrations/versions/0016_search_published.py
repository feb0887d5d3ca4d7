"""Search ranks the newest matches of a broad query: each document carries its interview's
publication time (app.publication.PUBLISHED_AT), indexed newest first.

A query matching most of the archive ranks only its newest matches (app/search/queries.py).
Finding them from the interviews' own date meant reading the interview of every match (a word
in 7% of 100,000 interviews: 7,500 rows of the widest table, ~35 ms); with the date beside the
document they are sorted from the search table alone and only the newest are looked up, and a
common word is found by walking the documents newest first. The copy is kept with the document
(refresh_interview_search) and when a publication time changes (publishing, scheduling).

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"

UPGRADE = [
    "ALTER TABLE interview_search ADD COLUMN published_at timestamptz",
    """
    UPDATE interview_search d SET published_at = coalesce(i.published_at, i.publish_at)
      FROM interviews i WHERE i.id = d.interview_id
    """,
    """
    CREATE INDEX interview_search_published_idx
        ON interview_search (published_at DESC NULLS LAST, interview_id DESC)
    """,
    """
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
          LEFT JOIN LATERAL (
              SELECT string_agg(pe.name, ' ') AS names
                FROM interview_participants ip JOIN people pe ON pe.id = ip.person_id
               WHERE ip.interview_id = i.id) p ON true
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
    """,
    """
    CREATE FUNCTION search_refresh_published() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE interview_search SET published_at = coalesce(NEW.published_at, NEW.publish_at)
         WHERE interview_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER interviews_search_published AFTER UPDATE ON interviews FOR EACH ROW
    WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.publish_at IS DISTINCT FROM NEW.publish_at)
    EXECUTE FUNCTION search_refresh_published()
    """,
]

DOWNGRADE = [
    "DROP TRIGGER interviews_search_published ON interviews",
    "DROP FUNCTION search_refresh_published()",
    """
    CREATE OR REPLACE FUNCTION refresh_interview_search(ids uuid[]) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO interview_search (interview_id, document)
        SELECT i.id,
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
          LEFT JOIN LATERAL (
              SELECT string_agg(pe.name, ' ') AS names
                FROM interview_participants ip JOIN people pe ON pe.id = ip.person_id
               WHERE ip.interview_id = i.id) p ON true
          LEFT JOIN LATERAL (
              SELECT string_agg(text, ' ') AS texts FROM teasers WHERE interview_id = i.id) t
            ON true
          LEFT JOIN LATERAL (
              SELECT string_agg(text, ' ') AS texts FROM pull_quotes WHERE interview_id = i.id) q
            ON true
         WHERE i.id = ANY (ids)
        ON CONFLICT (interview_id) DO UPDATE SET document = EXCLUDED.document
    $$
    """,
    "ALTER TABLE interview_search DROP COLUMN published_at",
]


def upgrade() -> None:
    for statement in UPGRADE:  # one statement per call: asyncpg prepares each
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
