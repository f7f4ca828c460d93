"""api: the orders each partner token (scope registrations:public) placed, so it reads back only
those. A new table: code already deployed never reads it.

Revision ID: 0202_partner_tokens
Revises: 0201_series_cancelled_editions
Create Date: 2026-12-07 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0202_partner_tokens'
down_revision = '0201_series_cancelled_editions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_token_orders',
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_api_token_orders_order_id_orders'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_token_orders_token_id_api_tokens'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('order_id', name=op.f('pk_api_token_orders')),
    )
    op.create_index(op.f('ix_api_token_orders_token_id'), 'api_token_orders', ['token_id'])


def downgrade():
    op.drop_index(op.f('ix_api_token_orders_token_id'), table_name='api_token_orders')
    op.drop_table('api_token_orders')
