"""server-side web sessions and login throttling

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:45:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
