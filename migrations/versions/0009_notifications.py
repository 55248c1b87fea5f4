"""notifications (inbox + e-mail outbox), e-mail preferences, one-time e-mail links (issue 11 §1, §4)

Users gain the language of their e-mails (Spanish), whether to mail what needs no action of
theirs (yes), and when they confirmed their address: every existing user counts as confirmed
(their creation time), since only new self-registrations must confirm.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:55:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSONType = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=5), server_default='es',
                                   nullable=False))
        batch.add_column(sa.Column('email_notifications', sa.Boolean(),
                                   server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
    users = sa.table('users', sa.column('created_at', sa.DateTime(timezone=True)),
                     sa.column('email_confirmed_at', sa.DateTime(timezone=True)))
    op.execute(users.update().values(email_confirmed_at=users.c.created_at))

    op.create_table(
        'email_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_email_tokens_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_tokens')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_email_tokens_token_sha256')),
    )
    op.create_index(op.f('ix_email_tokens_user_id'), 'email_tokens', ['user_id'])
    op.create_index(op.f('ix_email_tokens_created_at'), 'email_tokens', ['created_at'])

    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('subject', JSONType, nullable=False),
        sa.Column('body', JSONType, nullable=False),
        sa.Column('link', sa.String(length=500), nullable=True),
        sa.Column('needs_action', sa.Boolean(), nullable=False),
        sa.Column('in_app', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('email_state', sa.String(length=10), nullable=False),
        sa.Column('email_due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('email_attempts', sa.Integer(), nullable=False),
        sa.Column('email_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('email_error', sa.Text(), nullable=True),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('email_token_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_notifications_user_id_users')),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_notifications_proposal_id_proposals')),
        sa.ForeignKeyConstraint(['email_token_id'], ['email_tokens.id'],
                                name=op.f('fk_notifications_email_token_id_email_tokens')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('message_id', name=op.f('uq_notifications_message_id')),
    )
    op.create_index('ix_notifications_user_id_id', 'notifications', ['user_id', 'id'])
    op.create_index('ix_notifications_user_id_read_at', 'notifications',
                    ['user_id', 'read_at'])
    op.create_index('ix_notifications_email_state_email_due_at', 'notifications',
                    ['email_state', 'email_due_at'])
    op.create_index(op.f('ix_notifications_proposal_id'), 'notifications', ['proposal_id'])


def downgrade() -> None:
    op.drop_table('notifications')
    op.drop_table('email_tokens')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('email_confirmed_at')
        batch.drop_column('email_notifications')
        batch.drop_column('language')
