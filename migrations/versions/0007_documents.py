"""documents and the checklist (issue 10 §1)

Placeholder reserved in the chain while the work on that issue went on beside others. It stays
empty: databases were upgraded past it before that work landed, so the documents table is made
by 0012.

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
