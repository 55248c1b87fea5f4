"""indexes for keyset pagination of the proposal list and the queue

Each list is read in the order of an index, after a cursor, so that any page costs what the
first one does: the proposal list newest first (everything, a company's, a state's) on
``(created_at, id)`` behind its filter, and the queue, one branch per waiting state, on
``(state, state_entered_at, id)``. The single-column indexes they make redundant go (the
company's foreign key is served by the first column of its composite index). The history is
already read by its ``(proposal_id, seq)`` unique constraint.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NEW = {
    'ix_proposals_created_at_id': ['created_at', 'id'],
    'ix_proposals_company_id_created_at_id': ['company_id', 'created_at', 'id'],
    'ix_proposals_state_created_at_id': ['state', 'created_at', 'id'],
    'ix_proposals_state_state_entered_at_id': ['state', 'state_entered_at', 'id'],
}
OLD = {
    'ix_proposals_company_id': ['company_id'],
    'ix_proposals_state': ['state'],
    'ix_proposals_state_entered_at': ['state_entered_at'],
    'ix_proposals_created_at': ['created_at'],
}


def upgrade() -> None:
    for name, columns in NEW.items():
        op.create_index(name, 'proposals', columns, unique=False)
    for name in OLD:
        op.drop_index(name, table_name='proposals')


def downgrade() -> None:
    for name, columns in OLD.items():
        op.create_index(name, 'proposals', columns, unique=False)
    for name in NEW:
        op.drop_index(name, table_name='proposals')
