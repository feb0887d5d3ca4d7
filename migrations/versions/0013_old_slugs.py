"""Old slugs: a slug that an interview, series or person leaves stays theirs, so that links to it
keep working (the Content API redirects them, /content/v1/redirects lists them).

The slug history is kept by a trigger on each table, in the transaction of the change, so that no
write path (an edit, a restored revision) can forget it:
- a slug in `old_slugs` cannot be taken by another row of the same kind, by a create, a rename
  or a restore from the trash (a unique violation named `old_slugs_pkey`, which app/errors.py
  answers as a 409 on `slug`);
- a row that takes one of its own old slugs back drops it from the history: A -> B -> A leaves
  B -> A, not a loop;
- every old slug of a row leads to its current slug, so chains collapse by themselves, and a
  rename dates all of them (`changed_at`, the row's `updated_at`): the target of each changed.
An interview that is a draft never published leaves no old slug: no link to it can exist.

A slug being left and the same slug being taken by another row in a concurrent transaction
would each miss the other's change; an advisory lock per kind, taken by both before either
looks, makes the second wait for the first and see it. Per kind, not per slug: a transaction
holds each lock once however many rows it writes, where one per row overflowed PostgreSQL's
lock table (a few thousand) in a bulk import. Creations and renames of one kind wait for each
other, which editors' short transactions never notice.

`events.previous_slug` carries the slug an interview had before an edit that changed it, for the
`interview.updated` webhook.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"

# table -> (kind, the column of old_slugs that names the row)
OWNERS = {
    "interviews": ("interview", "interview_id"),
    "series": ("series", "series_id"),
    "people": ("person", "person_id"),
}

UPGRADE = [
    """
    CREATE TABLE old_slugs (
        kind         text        NOT NULL
            CONSTRAINT old_slugs_kind_check CHECK (kind IN ('interview', 'series', 'person')),
        slug         text        NOT NULL,
        interview_id uuid        REFERENCES interviews (id) ON DELETE CASCADE,
        series_id    uuid        REFERENCES series (id) ON DELETE CASCADE,
        person_id    uuid        REFERENCES people (id) ON DELETE CASCADE,
        changed_at   timestamptz NOT NULL,
        CONSTRAINT old_slugs_pkey PRIMARY KEY (kind, slug),
        CONSTRAINT old_slugs_owner_check CHECK (
            num_nonnulls(interview_id, series_id, person_id) = 1
            AND (interview_id IS NOT NULL) = (kind = 'interview')
            AND (series_id IS NOT NULL) = (kind = 'series')
            AND (person_id IS NOT NULL) = (kind = 'person')
        )
    )
    """,
    "CREATE INDEX old_slugs_changed_idx ON old_slugs (changed_at, kind, slug)",
    *(
        f"CREATE INDEX old_slugs_{column}_idx ON old_slugs ({column})"
        for _, column in OWNERS.values()
    ),
    """
    CREATE FUNCTION keep_old_slug() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        slug_kind    text := TG_ARGV[0];
        owner_column text := TG_ARGV[1];  -- of old_slugs, naming the row
        holder       uuid;
        held         boolean;
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.slug = OLD.slug
           AND NOT (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL) THEN
            RETURN NEW;  -- takes no slug (a row back from the trash takes its own) and leaves none
        END IF;
        PERFORM pg_advisory_xact_lock(hashtextextended('old_slugs/' || slug_kind, 0));
        EXECUTE format('SELECT %I FROM old_slugs WHERE kind = $1 AND slug = $2', owner_column)
           INTO holder USING slug_kind, NEW.slug;
        IF holder <> NEW.id THEN
            RAISE EXCEPTION 'the % slug % is kept for the one that had it', slug_kind, NEW.slug
                  USING ERRCODE = 'unique_violation', CONSTRAINT = 'old_slugs_pkey',
                        TABLE = 'old_slugs';
        END IF;
        IF TG_OP = 'INSERT' OR NEW.slug = OLD.slug THEN
            RETURN NEW;
        END IF;
        -- Its own old slug taken back: it leads nowhere now (A -> B -> A leaves only B -> A).
        DELETE FROM old_slugs o WHERE o.kind = slug_kind AND o.slug = NEW.slug;
        -- Its other old slugs lead to the new one now.
        EXECUTE format('UPDATE old_slugs SET changed_at = $1 WHERE %I = $2', owner_column)
          USING NEW.updated_at, NEW.id;
        IF TG_TABLE_NAME = 'interviews' THEN
            IF OLD.status = 'draft' AND OLD.published_at IS NULL THEN
                RETURN NEW;
            END IF;
        END IF;
        -- A row back from the trash under a new slug may leave one that another row took
        -- while it was away, as its slug or (then left) as an old slug: it is the other's.
        EXECUTE format(
            'SELECT EXISTS (SELECT 1 FROM %I WHERE slug = $1 AND id <> $2 AND deleted_at IS NULL)',
            TG_TABLE_NAME
        ) INTO held USING OLD.slug, NEW.id;
        IF held THEN
            RETURN NEW;
        END IF;
        EXECUTE format(
            'INSERT INTO old_slugs (kind, slug, %I, changed_at) VALUES ($1, $2, $3, $4) '
            'ON CONFLICT (kind, slug) DO NOTHING',
            owner_column
        ) USING slug_kind, OLD.slug, NEW.id, NEW.updated_at;
        RETURN NEW;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_keep_old_slug
        BEFORE INSERT OR UPDATE OF slug, deleted_at ON {table}
        FOR EACH ROW EXECUTE FUNCTION keep_old_slug('{kind}', '{column}')
        """
        for table, (kind, column) in OWNERS.items()
    ),
    # Cached public answers (the redirects list) are stale once the history changes.
    """
    CREATE TRIGGER old_slugs_notify_content_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON old_slugs
    FOR EACH STATEMENT EXECUTE FUNCTION notify_content_change()
    """,
    "ALTER TABLE events ADD COLUMN previous_slug text",
]

DOWNGRADE = [
    "ALTER TABLE events DROP COLUMN previous_slug",
    *(f"DROP TRIGGER {table}_keep_old_slug ON {table}" for table in OWNERS),
    "DROP FUNCTION keep_old_slug()",
    "DROP TABLE old_slugs",
]


def upgrade() -> None:
    # One statement per call: asyncpg prepares each statement.
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
