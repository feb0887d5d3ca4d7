"""What each reader's view beacons did lately, in the database, so that every process of an
instance (COLLOQUY_WORKERS) and every instance sees the same: one view per client and interview
per half hour, and a burst of beacons a minute per client (app/content/view_counter.py).

Unlogged: a crash forgets them, which only lets a reader count once more; in return they cost no
write-ahead log and are not copied to replicas. The worker's hourly round deletes what is past
its window.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    op.execute(
        """
        CREATE UNLOGGED TABLE view_clients (
            client       text        PRIMARY KEY,
            window_start timestamptz NOT NULL,
            requests     integer     NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE UNLOGGED TABLE view_marks (
            client       text        NOT NULL,
            interview_id uuid        NOT NULL,
            counted_at   timestamptz NOT NULL,
            PRIMARY KEY (client, interview_id)
        )
        """
    )
    op.execute("CREATE INDEX view_marks_counted_at_idx ON view_marks (counted_at)")
    op.execute("CREATE INDEX view_clients_window_start_idx ON view_clients (window_start)")


def downgrade() -> None:
    op.execute("DROP TABLE view_marks")
    op.execute("DROP TABLE view_clients")
