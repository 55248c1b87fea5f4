"""keyed history chain, heads, global sequence, append-only triggers

Adds to ``history_entries`` the global sequence (``gseq``, backfilled in order of creation so
that it is unique and gap-free from 1), the global link (``gprev_hash``), the proposal's version
after each entry (``proposal_version``) and the sealing key's id (``key_id``, NULL for entries
still under the old plain SHA-256 until ``flask --app wsgi audit reseal``). Entries may belong to
no proposal (the ``system`` stream) and to no user (the CLI). Creates ``history_heads``.

On PostgreSQL, installs triggers that refuse UPDATE and DELETE on ``history_entries``,
``revisions`` and ``signatures``. SQLite gets no triggers: whoever can write the file can drop
them, so there the keyed chain and ``audit verify`` are the protection.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:45:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

APPEND_ONLY = ('history_entries', 'revisions', 'signatures')
REFUSE = """
CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME;
END
$$
"""


def upgrade() -> None:
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gseq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('proposal_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('gprev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE history_entries SET gseq = ordered.n FROM ("
        " SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM history_entries"
        ") AS ordered WHERE history_entries.id = ordered.id"
    )
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.alter_column('gseq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('proposal_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('actor_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_history_entries_gseq'), ['gseq'])

    op.create_table('history_heads',
    sa.Column('stream', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('stream', name=op.f('pk_history_heads'))
    )

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(REFUSE)
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_append_only_change()")
    op.drop_table('history_heads')
    # The old schema has no place for entries without a proposal or a user.
    op.execute("DELETE FROM history_entries WHERE proposal_id IS NULL OR actor_id IS NULL")
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_history_entries_gseq'), type_='unique')
        batch_op.alter_column('actor_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('proposal_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('key_id')
        batch_op.drop_column('gprev_hash')
        batch_op.drop_column('proposal_version')
        batch_op.drop_column('gseq')
