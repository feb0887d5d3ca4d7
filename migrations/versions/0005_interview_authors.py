"""Who created each interview, so that contributors edit only their own drafts.

Interviews created before this revision have no author; only editors may change them.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE interviews
            ADD COLUMN created_by uuid REFERENCES tokens (id) ON DELETE SET NULL
        """
    )


def downgrade() -> None:
    op.execute("ALTER TABLE interviews DROP COLUMN created_by")
