"""What the boards last published moves off the standings rows into board_published

The board publisher used to write `published_hash`, `published_rank` and `dirty` on the standings
rows that marks update, so a publish waited for the marks holding those rows and marks for the
publish (issue 26). Marks now raise `standings.version`; the publisher keeps its own rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('board_published',
    sa.Column('standing_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_board_published_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standing_id'], ['standings.id'], name=op.f('fk_board_published_standing_id_standings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('standing_id', name=op.f('pk_board_published'))
    )
    with op.batch_alter_table('board_published', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_published_contest_id'), ['contest_id'], unique=False)
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    # A row published and not changed since stands at version 1 on both sides; a dirty one at 0 here.
    op.execute("INSERT INTO board_published (standing_id, contest_id, hash, rank, version) "
               "SELECT id, contest_id, published_hash, published_rank, CASE WHEN dirty THEN 0 ELSE 1 END "
               "FROM standings WHERE published_hash IS NOT NULL")
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_column('published_hash')
        batch_op.drop_column('published_rank')
        batch_op.drop_column('dirty')


def downgrade():
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dirty', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('published_rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('published_hash', sa.String(length=64), nullable=True))
    op.execute("UPDATE standings SET published_hash = (SELECT hash FROM board_published p WHERE p.standing_id = standings.id), "
               "published_rank = (SELECT rank FROM board_published p WHERE p.standing_id = standings.id), "
               "dirty = COALESCE((SELECT p.version <> standings.version FROM board_published p "
               "WHERE p.standing_id = standings.id), true)")
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('board_published', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_published_contest_id'))
    op.drop_table('board_published')
