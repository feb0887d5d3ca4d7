"""Core schema: series, people, interviews with participants, pull quotes, teasers; tokens.

Constraint names are part of the API: app/errors.py maps each to the field it concerns.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None

UPGRADE = [
    """
    CREATE TABLE series (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        slug             text        NOT NULL CONSTRAINT series_slug_key UNIQUE,
        title            text        NOT NULL,
        description      text        NOT NULL DEFAULT '',
        cadence_rrule    text,
        cadence_timezone text,
        status           text        NOT NULL DEFAULT 'active'
            CONSTRAINT series_status_check CHECK (status IN ('active', 'paused', 'ended')),
        version          integer     NOT NULL DEFAULT 1,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        CONSTRAINT series_cadence_check
            CHECK ((cadence_rrule IS NULL) = (cadence_timezone IS NULL))
    )
    """,
    """
    CREATE TABLE people (
        id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        slug        text        NOT NULL CONSTRAINT people_slug_key UNIQUE,
        name        text        NOT NULL,
        headline    text        NOT NULL DEFAULT '',
        bio         text        NOT NULL DEFAULT '',
        affiliation text        NOT NULL DEFAULT '',
        image       jsonb,
        links       jsonb       NOT NULL DEFAULT '[]',
        version     integer     NOT NULL DEFAULT 1,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
    )
    """,
    """
    CREATE INDEX people_name_idx ON people (name, id)
    """,
    """
    CREATE TABLE interviews (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        series_id    uuid        NOT NULL
            CONSTRAINT interviews_series_id_fkey REFERENCES series (id),
        slug         text        NOT NULL CONSTRAINT interviews_slug_key UNIQUE,
        title        text        NOT NULL,
        standfirst   text        NOT NULL DEFAULT '',
        body         jsonb       NOT NULL DEFAULT '[]',
        image        jsonb,
        tags         text[]      NOT NULL DEFAULT '{}',
        status       text        NOT NULL DEFAULT 'draft'
            CONSTRAINT interviews_status_check
            CHECK (status IN ('draft', 'scheduled', 'published', 'withdrawn')),
        publish_at   timestamptz,
        published_at timestamptz,
        withdrawn_at timestamptz,
        version      integer     NOT NULL DEFAULT 1,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL,
        CONSTRAINT interviews_scheduled_check
            CHECK (status <> 'scheduled' OR publish_at IS NOT NULL),
        CONSTRAINT interviews_published_check
            CHECK (status <> 'published' OR published_at IS NOT NULL)
    )
    """,
    """
    CREATE INDEX interviews_created_idx ON interviews (created_at DESC, id DESC)
    """,
    """
    CREATE INDEX interviews_series_idx ON interviews (series_id, created_at DESC, id DESC)
    """,
    """
    CREATE INDEX interviews_tags_idx ON interviews USING gin (tags)
    """,
    """
    CREATE TABLE interview_participants (
        interview_id uuid    NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
        person_id    uuid    NOT NULL
            CONSTRAINT interview_participants_person_id_fkey REFERENCES people (id),
        role         text    NOT NULL
            CONSTRAINT interview_participants_role_check
            CHECK (role IN ('interviewer', 'interviewee')),
        position     integer NOT NULL,
        PRIMARY KEY (interview_id, person_id)
    )
    """,
    """
    CREATE INDEX interview_participants_person_idx ON interview_participants (person_id)
    """,
    """
    CREATE TABLE pull_quotes (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        interview_id uuid        NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
        text         text        NOT NULL,
        speaker_id   uuid        NOT NULL,
        block_id     text,
        position     integer     NOT NULL,
        featured     boolean     NOT NULL DEFAULT false,
        created_at   timestamptz NOT NULL,
        -- The speaker must take part in the interview; removing a quoted participant fails.
        CONSTRAINT pull_quotes_speaker_fkey FOREIGN KEY (interview_id, speaker_id)
            REFERENCES interview_participants (interview_id, person_id)
    )
    """,
    """
    CREATE UNIQUE INDEX pull_quotes_one_featured ON pull_quotes (interview_id) WHERE featured
    """,
    """
    CREATE TABLE teasers (
        interview_id uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
        placement    text NOT NULL
            CHECK (placement IN ('card', 'frontpage', 'social', 'newsletter')),
        text         text NOT NULL,
        PRIMARY KEY (interview_id, placement)
    )
    """,
    """
    CREATE TABLE tokens (
        id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name         text        NOT NULL,
        role         text        NOT NULL
            CHECK (role IN ('contributor', 'editor', 'admin')),
        secret_hash  bytea       NOT NULL UNIQUE,
        created_at   timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at   timestamptz
    )
    """,
]

DOWNGRADE = [
    "DROP TABLE tokens",
    "DROP TABLE teasers",
    "DROP TABLE pull_quotes",
    "DROP TABLE interview_participants",
    "DROP TABLE interviews",
    "DROP TABLE people",
    "DROP TABLE series",
]


def upgrade() -> None:
    # One statement per call: asyncpg prepares each statement.
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
