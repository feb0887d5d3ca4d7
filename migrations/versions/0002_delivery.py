"""Public delivery: editors' choice, view counts, and change notices for the caches.

Every committed write to what the public sees sends a notice on the `colloquy_content`
channel, so that every instance drops its cached responses at once. A notice, not a counter
row: a row bumped by every writer would serialise them and could deadlock with row locks.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"

CONTENT_TABLES = [
    "series",
    "people",
    "interviews",
    "interview_participants",
    "pull_quotes",
    "teasers",
    "editors_choice",
]

UPGRADE = [
    """
    CREATE TABLE editors_choice (
        interview_id uuid        PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,
        position     integer     NOT NULL,
        starts_at    timestamptz,
        ends_at      timestamptz,
        CONSTRAINT editors_choice_window_check
            CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
    )
    """,
    """
    CREATE TABLE interview_views (
        interview_id uuid    NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
        day          date    NOT NULL,
        views        bigint  NOT NULL,
        PRIMARY KEY (interview_id, day)
    )
    """,
    "CREATE INDEX interview_views_day_idx ON interview_views (day, interview_id)",
    """
    CREATE INDEX interviews_public_idx
        ON interviews ((coalesce(published_at, publish_at)) DESC, id DESC)
     WHERE status IN ('published', 'scheduled')
    """,
    """
    CREATE INDEX interviews_series_public_idx
        ON interviews (series_id, (coalesce(published_at, publish_at)) DESC, id DESC)
     WHERE status IN ('published', 'scheduled')
    """,
    "CREATE INDEX pull_quotes_interview_idx ON pull_quotes (interview_id, position)",
    "CREATE INDEX interviews_scheduled_idx ON interviews (publish_at) WHERE status = 'scheduled'",
    """
    CREATE FUNCTION notify_content_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Delivered at commit, and only then; repeats within a transaction are folded.
        PERFORM pg_notify('colloquy_content', '');
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_notify_content_change
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change()
        """
        for table in CONTENT_TABLES
    ),
]

DOWNGRADE = [
    *(f"DROP TRIGGER {table}_notify_content_change ON {table}" for table in CONTENT_TABLES),
    "DROP FUNCTION notify_content_change()",
    "DROP INDEX interviews_scheduled_idx",
    "DROP INDEX pull_quotes_interview_idx",
    "DROP INDEX interviews_series_public_idx",
    "DROP INDEX interviews_public_idx",
    "DROP TABLE interview_views",
    "DROP TABLE editors_choice",
]


def upgrade() -> None:
    # One statement per call: asyncpg prepares each statement.
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
