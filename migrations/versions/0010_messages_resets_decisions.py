"""messages, password resets, e-mail confirmation and pending FOCIR decisions (issue 11 §2, §4, §5)

Placeholder reserved in the chain; filled in by the work on that issue.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:55:00
"""

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
