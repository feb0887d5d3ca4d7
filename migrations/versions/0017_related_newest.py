"""Related interviews found newest first per person and per tag, without reading them all.

An interview's related candidates are the newest interviews of each of its people and of each
of its tags (app/content/queries.py `select_related`). Ordering a host's 2,000 interviews or a
tag's 3,600 by their publication time meant reading every one of them from the interviews
table (~35 ms of a cold page at 100,000 interviews). With the publication time (as
app.publication.PUBLISHED_AT) beside each participant and each tag, indexed newest first, each
list is walked from now and stops at its first few public rows.

The copies are kept by triggers, as the search documents' are (0016): a participant takes its
interview's time as it is added; an interview's tags are rewritten when they change; both follow
a publication time that changes (publishing, scheduling).

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"

UPGRADE = [
    "ALTER TABLE interview_participants ADD COLUMN published_at timestamptz",
    """
    UPDATE interview_participants ip SET published_at = coalesce(i.published_at, i.publish_at)
      FROM interviews i WHERE i.id = ip.interview_id
    """,
    # With the interview's id in the index, a person's newest are read from the index alone,
    # which the planner then prefers to a bitmap scan and a sort of all of a host's thousands.
    """
    CREATE INDEX interview_participants_newest_idx
        ON interview_participants (person_id, role, published_at DESC NULLS LAST)
        INCLUDE (interview_id)
    """,
    """
    CREATE TABLE interview_tags (
        interview_id uuid        NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
        tag          text        NOT NULL,
        published_at timestamptz,
        PRIMARY KEY (interview_id, tag)
    )
    """,
    """
    INSERT INTO interview_tags (interview_id, tag, published_at)
    SELECT i.id, t.tag, coalesce(i.published_at, i.publish_at)
      FROM interviews i CROSS JOIN unnest(i.tags) AS t (tag)
    ON CONFLICT DO NOTHING
    """,
    "CREATE INDEX interview_tags_newest_idx ON interview_tags (tag, published_at DESC NULLS LAST)",
    """
    CREATE FUNCTION related_participant_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.published_at := (SELECT coalesce(published_at, publish_at)
                               FROM interviews WHERE id = NEW.interview_id);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER interview_participants_related BEFORE INSERT ON interview_participants
    FOR EACH ROW EXECUTE FUNCTION related_participant_added()
    """,
    """
    CREATE FUNCTION related_interview_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        published timestamptz := coalesce(NEW.published_at, NEW.publish_at);
    BEGIN
        IF TG_OP = 'INSERT' OR OLD.tags IS DISTINCT FROM NEW.tags THEN
            DELETE FROM interview_tags WHERE interview_id = NEW.id AND tag <> ALL (NEW.tags);
            INSERT INTO interview_tags (interview_id, tag, published_at)
            SELECT NEW.id, tag, published FROM unnest(NEW.tags) AS t (tag)
            ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP = 'UPDATE' AND (OLD.published_at IS DISTINCT FROM NEW.published_at
                                 OR OLD.publish_at IS DISTINCT FROM NEW.publish_at) THEN
            UPDATE interview_participants SET published_at = published WHERE interview_id = NEW.id;
            UPDATE interview_tags SET published_at = published WHERE interview_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER interviews_related_inserted AFTER INSERT ON interviews
    FOR EACH ROW EXECUTE FUNCTION related_interview_changed()
    """,
    """
    CREATE TRIGGER interviews_related_changed AFTER UPDATE ON interviews FOR EACH ROW
    WHEN (OLD.tags IS DISTINCT FROM NEW.tags
          OR OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.publish_at IS DISTINCT FROM NEW.publish_at)
    EXECUTE FUNCTION related_interview_changed()
    """,
]

DOWNGRADE = [
    "DROP TRIGGER interviews_related_changed ON interviews",
    "DROP TRIGGER interviews_related_inserted ON interviews",
    "DROP FUNCTION related_interview_changed()",
    "DROP TRIGGER interview_participants_related ON interview_participants",
    "DROP FUNCTION related_participant_added()",
    "DROP TABLE interview_tags",
    "DROP INDEX interview_participants_newest_idx",
    "ALTER TABLE interview_participants DROP COLUMN published_at",
]


def upgrade() -> None:
    for statement in UPGRADE:  # one statement per call: asyncpg prepares each
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
