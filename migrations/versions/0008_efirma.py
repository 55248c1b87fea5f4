"""e.firma signatures (issue 10 §2)

Placeholder reserved in the chain; filled in by the work on that issue.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:55:00
"""

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
