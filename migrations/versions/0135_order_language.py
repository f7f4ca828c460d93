"""registration: the language each order and waitlist entry was made in (their emails speak it)

Revision ID: 0135_order_language
Revises: 0130_api_tokens
Create Date: 2026-12-03 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0135_order_language'
down_revision = '0130_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('waitlist_entries') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('waitlist_entries') as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('orders') as batch_op:
        batch_op.drop_column('language')
