"""The trash: a deleted interview, series or person keeps its row, marked with when and by whom
it was deleted, until it is restored or purged (by an editor, or by the worker after
COLLOQUY_TRASH_DAYS).

A slug is unique among what is not in the trash, so a deleted item does not block its slug. The
unique indexes keep the names of the constraints they replace: app/errors.py maps those names to
the field at fault. Downgrading purges the trash: before this revision nothing waited there.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"

TABLES = ("interviews", "series", "people")

UPGRADE = [
    *(
        f"""
        ALTER TABLE {table}
            ADD COLUMN deleted_at timestamptz,
            ADD COLUMN deleted_by uuid REFERENCES tokens (id) ON DELETE SET NULL
        """
        for table in TABLES
    ),
    *(f"ALTER TABLE {table} DROP CONSTRAINT {table}_slug_key" for table in TABLES),
    *(
        f"CREATE UNIQUE INDEX {table}_slug_key ON {table} (slug) WHERE deleted_at IS NULL"
        for table in TABLES
    ),
    # The trash is listed newest first; it is small next to what is not in it.
    *(
        f"""
        CREATE INDEX {table}_trash_idx ON {table} (deleted_at DESC, id DESC)
         WHERE deleted_at IS NOT NULL
        """
        for table in TABLES
    ),
]

DOWNGRADE = [
    # Interviews first: a trashed series or person may still be named by a trashed interview.
    *(f"DELETE FROM {table} WHERE deleted_at IS NOT NULL" for table in TABLES),
    *(f"DROP INDEX {table}_trash_idx" for table in TABLES),
    *(f"DROP INDEX {table}_slug_key" for table in TABLES),
    *(f"ALTER TABLE {table} ADD CONSTRAINT {table}_slug_key UNIQUE (slug)" for table in TABLES),
    *(f"ALTER TABLE {table} DROP COLUMN deleted_at, DROP COLUMN deleted_by" for table in TABLES),
]


def upgrade() -> None:
    # One statement per call: asyncpg prepares each statement.
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
