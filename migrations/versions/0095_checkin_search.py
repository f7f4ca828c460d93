"""check-in: covering index for the desk's name search

Revision ID: 0095_checkin_search
Revises: 0090_registration_list_index
Create Date: 2026-11-21 11:50:19.805132

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0095_checkin_search'
down_revision = '0090_registration_list_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_event_search', ['event_id', 'search_text'], unique=False)



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_search')

