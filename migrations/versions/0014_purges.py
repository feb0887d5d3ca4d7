"""CDN purges: the surrogate keys a change makes stale, kept until every purge target has
dropped them.

A purge is written in the transaction of what it follows, so that it exists if and only if the
change does: the worker writes an interview's when it dispatches the event (a scheduled
publication's at its time), and triggers write a series', a person's and the editors' choice's,
so that no write path can forget them. The worker sends each to the targets of
COLLOQUY_PURGE_TARGETS with retries (app/cdn/purging.py); a purge is idempotent, so sending one
twice after a crash does no harm.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"

# Besides its own key, a series' change purges the responses that list series (app/cdn/keys.py,
# ROUTE_KEYS): the front page has a section per active series; a person's, those that list people.
UPGRADE = [
    """
    CREATE TABLE purges (
        id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        keys            text[]      NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        -- '-infinity': due at once, whatever the clock of the worker that sends it.
        next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
        attempts        int         NOT NULL DEFAULT 0,
        -- Sent once more a little after its first success (app/cdn/purging.py, REPEAT_AFTER).
        repeat_due      boolean     NOT NULL DEFAULT true,
        status          text        NOT NULL DEFAULT 'pending'
                                    CHECK (status IN ('pending', 'failed')),
        last_error      text
    )
    """,
    "CREATE INDEX purges_due_idx ON purges (next_attempt_at) WHERE status = 'pending'",
    """
    CREATE FUNCTION purge_series() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD IS DISTINCT FROM NEW THEN
            INSERT INTO purges (keys)
            VALUES (ARRAY['series:' || OLD.id, 'series', 'frontpage', 'sitemaps']);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER series_purge AFTER UPDATE OR DELETE ON series
    FOR EACH ROW EXECUTE FUNCTION purge_series()
    """,
    """
    CREATE FUNCTION purge_person() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD IS DISTINCT FROM NEW THEN
            INSERT INTO purges (keys) VALUES (ARRAY['person:' || OLD.id, 'people', 'sitemaps']);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER people_purge AFTER UPDATE OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION purge_person()
    """,
    """
    CREATE FUNCTION purge_frontpage() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO purges (keys) VALUES (ARRAY['frontpage']);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER editors_choice_purge AFTER INSERT OR UPDATE OR DELETE ON editors_choice
    FOR EACH STATEMENT EXECUTE FUNCTION purge_frontpage()
    """,
]

DOWNGRADE = [
    "DROP TRIGGER editors_choice_purge ON editors_choice",
    "DROP FUNCTION purge_frontpage()",
    "DROP TRIGGER people_purge ON people",
    "DROP FUNCTION purge_person()",
    "DROP TRIGGER series_purge ON series",
    "DROP FUNCTION purge_series()",
    "DROP TABLE purges",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
