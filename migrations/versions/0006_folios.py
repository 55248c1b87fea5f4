"""folios: PF-YYYY-NNNNN on every proposal, and one counter row per year

Existing proposals are numbered in the order they were created (created_at, then id) within
the year of their creation on Mexico City's calendar, and each year's counter is set to the
last number handed out, so new proposals continue the sequence.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:50:00
"""
from datetime import timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

MEXICO_CITY = ZoneInfo('America/Mexico_City')


def upgrade() -> None:
    op.create_table(
        'folio_counters',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_folio_counters')),
    )
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('folio', sa.String(length=20), nullable=True))

    bind = op.get_bind()
    proposals = sa.table('proposals', sa.column('id', sa.Integer), sa.column('folio', sa.String),
                         sa.column('created_at', sa.DateTime))
    counters = sa.table('folio_counters', sa.column('year', sa.Integer),
                        sa.column('last', sa.Integer))
    last: dict[int, int] = {}
    rows = bind.execute(sa.select(proposals.c.id, proposals.c.created_at)
                        .order_by(proposals.c.created_at, proposals.c.id)).all()
    for proposal_id, created_at in rows:
        moment = created_at if created_at.tzinfo else created_at.replace(tzinfo=timezone.utc)
        year = moment.astimezone(MEXICO_CITY).year
        last[year] = last.get(year, 0) + 1
        bind.execute(proposals.update().where(proposals.c.id == proposal_id)
                     .values(folio=f'PF-{year:04d}-{last[year]:05d}'))
    if last:
        bind.execute(counters.insert(), [{'year': y, 'last': n} for y, n in sorted(last.items())])

    with op.batch_alter_table('proposals') as batch:
        batch.alter_column('folio', existing_type=sa.String(length=20), nullable=False)
        batch.create_unique_constraint(op.f('uq_proposals_folio'), ['folio'])


def downgrade() -> None:
    with op.batch_alter_table('proposals') as batch:
        batch.drop_constraint(op.f('uq_proposals_folio'), type_='unique')
        batch.drop_column('folio')
    op.drop_table('folio_counters')
