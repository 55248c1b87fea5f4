"""documents and the checklist (issue 10 §1)

Placeholder reserved in the chain; filled in by the work on that issue.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:55:00
"""

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
