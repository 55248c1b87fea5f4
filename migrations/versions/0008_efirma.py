"""e.firma signatures (issue 10 §2): the certificate and signature on each signature row, and
a person's RFC on users

The signatures table stays append-only on PostgreSQL (the triggers of 0003 refuse UPDATE and
DELETE; adding columns is neither). Rows signed before e.firma keep the new columns empty.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = (
    ('certificate', sa.LargeBinary()),
    ('certificate_number', sa.String(length=40)),
    ('signer_name', sa.String(length=200)),
    ('rfc', sa.String(length=13)),
    ('curp', sa.String(length=18)),
    ('signature', sa.LargeBinary()),
    ('cadena_original', sa.Text()),
    ('cadena_sha256', sa.String(length=64)),
)


def upgrade() -> None:
    with op.batch_alter_table('signatures') as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('rfc', sa.String(length=13), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('rfc')
    with op.batch_alter_table('signatures') as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
