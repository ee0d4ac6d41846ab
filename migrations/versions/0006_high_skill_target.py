"""enterprises.high_skill_target: the enterprise's target for 高技能人才 among skilled workers (default 30 %)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('high_skill_target',
                                      sa.Numeric(5, 4, asdecimal=True).with_variant(sa.String(40), 'sqlite'),
                                      server_default='0.3000', nullable=False))


def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('high_skill_target')
