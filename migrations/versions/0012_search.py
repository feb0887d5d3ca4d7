"""Search: one tsvector per interview, kept by triggers in the transaction of every change.

The document spans the title (weight A), the participants' names, the series title and the tags
(B), the standfirst, teasers and pull quotes (C) and the body's visible text (D). It lives in
`interview_search`, refreshed from those tables by triggers, so that no write path can forget
it: an edit to a teaser, a quote, a participant, a person's name or a series title reaches the
documents it appears in before the change commits.

Text is indexed with the text search configuration `colloquy_search`: the site language's
stemmer, set by `use_search_language(config)` (the service calls it as it starts and rebuilds
every document when the language changed). Names are indexed a second time with `simple`, so
that a name that is a stop word or stems oddly is still found. Accents are folded on both sides
by `search_unaccent`: the `unaccent` extension where the server has it, else (PostgreSQL builds
without contrib, such as the embedded server's wheel) Unicode decomposition with the combining
marks removed, which folds every accented Latin letter but not ø, ł, ß or æ.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"

HAS_UNACCENT = "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent')"

UNACCENT_BY_EXTENSION = [
    "CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public",
    # Immutable, so that it may serve in a stored document and an index (unaccent() is stable
    # only because its dictionary could be changed; ours is not).
    """
    CREATE FUNCTION search_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
    """,
]

UNACCENT_BY_DECOMPOSITION = [
    """
    CREATE FUNCTION search_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT regexp_replace(normalize($1, NFD), '[\\u0300-\\u036f]', '', 'g') $$
    """,
]

UPGRADE = [
    "CREATE TEXT SEARCH CONFIGURATION colloquy_search (COPY = simple)",
    # Points the configuration at a language's stemmer (and stop words), with accents folded
    # first where the unaccent dictionary exists so that ts_headline marks "Zürich" for
    # "zurich". Returns whether anything changed: then every document is built again.
    """
    CREATE FUNCTION use_search_language(language regconfig) RETURNS boolean
    LANGUAGE plpgsql AS $$
    DECLARE
        stemmer text;
        folding text := '';
    BEGIN
        LOCK TABLE interview_search IN SHARE ROW EXCLUSIVE MODE;  -- one rebuild at a time
        SELECT d.dictname INTO STRICT stemmer
          FROM pg_ts_config_map m JOIN pg_ts_dict d ON d.oid = m.mapdict
         WHERE m.mapcfg = language
           AND m.maptokentype = (SELECT tokid FROM ts_token_type('default') WHERE alias = 'word')
         ORDER BY m.mapseqno DESC LIMIT 1;
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
            folding := 'public.unaccent, ';
        END IF;
        IF EXISTS (
            SELECT 1 FROM ts_debug('colloquy_search', 'word') t
             WHERE t.dictionaries[array_upper(t.dictionaries, 1)]::text = stemmer
        ) THEN
            RETURN false;
        END IF;
        EXECUTE format(
            'ALTER TEXT SEARCH CONFIGURATION colloquy_search'
            ' ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH %I', stemmer);
        EXECUTE format(
            'ALTER TEXT SEARCH CONFIGURATION colloquy_search'
            ' ALTER MAPPING FOR word, hword, hword_part WITH %s%I', folding, stemmer);
        PERFORM refresh_interview_search(ARRAY(SELECT id FROM interviews));
        PERFORM pg_notify('colloquy_content', '');  -- cached search answers are stale now
        RETURN true;
    END
    $$
    """,
    # The text a reader sees of a body: its blocks' inline HTML without the tags. Entities stay
    # (the parser skips them), so the text is still escaped HTML, ready for ts_headline.
    """
    CREATE FUNCTION search_body_text(body jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT coalesce(
                   string_agg(regexp_replace(block ->> 'text', '<[^>]*>', '', 'g'), E'\\n'), '')
          FROM jsonb_array_elements(body) AS block
    $$
    """,
    """
    CREATE TABLE interview_search (
        interview_id uuid     PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,
        document     tsvector NOT NULL
    )
    """,
    "CREATE INDEX interview_search_document_idx ON interview_search USING gin (document)",
    # What a reader typed, in web-search syntax ("a phrase", -word, or), as a tsquery: stemmed
    # in the site language; when that leaves nothing (a name that is a stop word: "Will"), the
    # words as they are, which the documents' names also hold. Never an error: words it cannot
    # read are left out, and a query of nothing matches nothing.
    """
    CREATE FUNCTION search_query(typed text) RETURNS tsquery
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $$
        SELECT CASE WHEN numnode(stemmed) > 0 THEN stemmed
                    ELSE websearch_to_tsquery('simple', search_unaccent(typed)) END
          FROM websearch_to_tsquery('colloquy_search', search_unaccent(typed)) AS stemmed
    $$
    """,
    """
    CREATE FUNCTION refresh_interview_search(ids uuid[]) RETURNS void
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
    # Statement triggers with transition tables: a statement that writes many rows (a body
    # with its quotes, the seed of a benchmark) refreshes each document once, not once a row.
    """
    CREATE FUNCTION search_refresh_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM refresh_interview_search(ARRAY(SELECT id FROM changed));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION search_refresh_edited() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM refresh_interview_search(ARRAY[NEW.id]);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION search_refresh_parts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM refresh_interview_search(ARRAY(SELECT DISTINCT interview_id FROM changed));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION search_refresh_renamed_people() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM refresh_interview_search(ARRAY(
            SELECT DISTINCT ip.interview_id
              FROM changed JOIN unchanged USING (id)
              JOIN interview_participants ip ON ip.person_id = changed.id
             WHERE changed.name IS DISTINCT FROM unchanged.name));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION search_refresh_renamed_series() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM refresh_interview_search(ARRAY(
            SELECT i.id
              FROM changed JOIN unchanged USING (id)
              JOIN interviews i ON i.series_id = changed.id
             WHERE changed.title IS DISTINCT FROM unchanged.title));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER interviews_search_inserted AFTER INSERT ON interviews
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_refresh_inserted()
    """,
    # Row by row, to look at the columns: publishing, scheduling and trashing leave it alone.
    """
    CREATE TRIGGER interviews_search_edited AFTER UPDATE ON interviews FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.standfirst IS DISTINCT FROM NEW.standfirst
          OR OLD.body IS DISTINCT FROM NEW.body OR OLD.tags IS DISTINCT FROM NEW.tags
          OR OLD.series_id IS DISTINCT FROM NEW.series_id)
    EXECUTE FUNCTION search_refresh_edited()
    """,
    *(
        f"""
        CREATE TRIGGER {table}_search_{event.lower()} AFTER {event} ON {table}
        REFERENCING {"OLD" if event == "DELETE" else "NEW"} TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION search_refresh_parts()
        """
        for table in ("teasers", "pull_quotes", "interview_participants")
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    """
    CREATE TRIGGER people_search_renamed AFTER UPDATE ON people
    REFERENCING OLD TABLE AS unchanged NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_refresh_renamed_people()
    """,
    """
    CREATE TRIGGER series_search_renamed AFTER UPDATE ON series
    REFERENCING OLD TABLE AS unchanged NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_refresh_renamed_series()
    """,
    # English until the service says otherwise (COLLOQUY_SITE_LANGUAGE defaults to en); this
    # builds the documents of the interviews there are.
    "SELECT use_search_language('english')",
]

DOWNGRADE = [
    "DROP TRIGGER series_search_renamed ON series",
    "DROP TRIGGER people_search_renamed ON people",
    *(
        f"DROP TRIGGER {table}_search_{event} ON {table}"
        for table in ("teasers", "pull_quotes", "interview_participants")
        for event in ("insert", "update", "delete")
    ),
    "DROP TRIGGER interviews_search_edited ON interviews",
    "DROP TRIGGER interviews_search_inserted ON interviews",
    "DROP FUNCTION search_refresh_renamed_series()",
    "DROP FUNCTION search_refresh_renamed_people()",
    "DROP FUNCTION search_refresh_parts()",
    "DROP FUNCTION search_refresh_edited()",
    "DROP FUNCTION search_refresh_inserted()",
    "DROP FUNCTION use_search_language(regconfig)",
    "DROP FUNCTION search_query(text)",
    "DROP FUNCTION refresh_interview_search(uuid[])",
    "DROP TABLE interview_search",
    "DROP FUNCTION search_body_text(jsonb)",
    "DROP TEXT SEARCH CONFIGURATION colloquy_search",
    "DROP FUNCTION search_unaccent(text)",
    "DROP EXTENSION IF EXISTS unaccent",
]


def upgrade() -> None:
    has_unaccent = op.get_bind().exec_driver_sql(HAS_UNACCENT).scalar()
    # One statement per call: asyncpg prepares each statement.
    for statement in UNACCENT_BY_EXTENSION if has_unaccent else UNACCENT_BY_DECOMPOSITION:
        op.execute(statement)
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
