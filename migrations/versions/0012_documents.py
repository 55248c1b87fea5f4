"""documents and the checklist (issue 10 §1)

Created after the history's state-change index (0011), not in the placeholder 0007 that was
reserved for it: databases already upgraded past an empty 0007 get the table too.

One row per uploaded file of a proposal; the file itself lives in the document store
(DOCUMENTS_DIR), named by its SHA-256. A partial unique index keeps at most one current
document of each kind per proposal. The checklist lives in the policy's parameters (JSON), so
stored policy versions without one read the default checklist: nothing to migrate there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 03:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('is_current', sa.Boolean(), nullable=False),
        sa.Column('supersedes_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_documents_proposal_id_proposals')),
        sa.ForeignKeyConstraint(['supersedes_id'], ['documents.id'],
                                name=op.f('fk_documents_supersedes_id_documents')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_documents_uploaded_by_id_users')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'],
                                name=op.f('fk_documents_reviewed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
        sa.UniqueConstraint('supersedes_id', name=op.f('uq_documents_supersedes_id')),
    )
    op.create_index(op.f('ix_documents_proposal_id'), 'documents', ['proposal_id'], unique=False)
    op.create_index('uq_documents_current_kind', 'documents', ['proposal_id', 'kind'],
                    unique=True, postgresql_where=sa.text('is_current'),
                    sqlite_where=sa.text('is_current'))


def downgrade() -> None:
    op.drop_index('uq_documents_current_kind', table_name='documents')
    op.drop_index(op.f('ix_documents_proposal_id'), table_name='documents')
    op.drop_table('documents')
