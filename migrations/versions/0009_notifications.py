"""notifications outbox, preferences and reminders (issue 11 §1, §3)

Placeholder reserved in the chain; filled in by the work on that issue.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:55:00
"""

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
