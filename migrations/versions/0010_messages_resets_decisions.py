"""messages, the reminder log and pending FOCIR decisions (issue 11 §2, §3, §5)

``messages``: the thread of each proposal, append-only (on PostgreSQL the trigger of migration
0003 refuses UPDATE and DELETE, as on the history); ``reminder_log``: which overdue reminders
and weekly digests went out, unique per kind, subject and day or week; on ``proposals``, the
pending decision of a first FOCIR officer awaiting a second (four eyes). Password resets and
e-mail confirmation are in 0009.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:55:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('author_role', sa.String(length=16), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_messages_author_id_users')),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_messages_proposal_id_proposals')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    )
    op.create_index('ix_messages_proposal_id_id', 'messages', ['proposal_id', 'id'])
    op.create_table(
        'reminder_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_log')),
        sa.UniqueConstraint('kind', 'subject', 'period', name=op.f('uq_reminder_log_kind')),
    )
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('pending_action', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('pending_by_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('pending_terms', JSON, nullable=True))
        batch.add_column(sa.Column('pending_reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('pending_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(op.f('fk_proposals_pending_by_id_users'), 'users',
                                 ['pending_by_id'], ['id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE TRIGGER messages_append_only BEFORE UPDATE OR DELETE ON messages "
                   "FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER messages_append_only ON messages")
    with op.batch_alter_table('proposals') as batch:
        batch.drop_constraint(op.f('fk_proposals_pending_by_id_users'), type_='foreignkey')
        batch.drop_column('pending_at')
        batch.drop_column('pending_reason')
        batch.drop_column('pending_terms')
        batch.drop_column('pending_by_id')
        batch.drop_column('pending_action')
    op.drop_table('reminder_log')
    op.drop_index('ix_messages_proposal_id_id', table_name='messages')
    op.drop_table('messages')
