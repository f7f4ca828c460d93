"""registration: the language an attendee chose on their ticket page (None: their order's)

Revision ID: 0150_registration_language
Revises: 0135_order_language
Create Date: 2026-12-03 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0150_registration_language'
down_revision = '0135_order_language'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.drop_column('language')
