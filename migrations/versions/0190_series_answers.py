"""online: a series registration keeps the answers to the registration questions, given once
for every edition

Revision ID: 0190_series_answers
Revises: 0185_sealed_secrets
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0190_series_answers'
down_revision = '0185_sealed_secrets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('online_series_subscriptions') as batch_op:
        batch_op.add_column(sa.Column('answers', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('online_series_subscriptions') as batch_op:
        batch_op.drop_column('answers')
