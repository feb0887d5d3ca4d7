"""Read-only calendar tokens: the only tokens that may travel in a URL.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.execute("ALTER TABLE tokens DROP CONSTRAINT tokens_role_check")
    op.execute(
        """
        ALTER TABLE tokens ADD CONSTRAINT tokens_role_check
            CHECK (role IN ('calendar', 'contributor', 'editor', 'admin'))
        """
    )


def downgrade() -> None:
    op.execute("DELETE FROM tokens WHERE role = 'calendar'")
    op.execute("ALTER TABLE tokens DROP CONSTRAINT tokens_role_check")
    op.execute(
        """
        ALTER TABLE tokens ADD CONSTRAINT tokens_role_check
            CHECK (role IN ('contributor', 'editor', 'admin'))
        """
    )
