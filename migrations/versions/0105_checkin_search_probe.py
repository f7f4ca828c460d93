"""check-in: (registration_id, term) index for the search's per-word EXISTS probes

Revision ID: 0105_checkin_search_probe
Revises: 0100_checkin_search_terms
Create Date: 2026-11-21 12:33:04.680778

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0105_checkin_search_probe'
down_revision = '0100_checkin_search_terms'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkin_search_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_search_terms_registration_id'))
        batch_op.create_index('ix_checkin_search_terms_registration_term', ['registration_id', 'term'], unique=False)



def downgrade():
    with op.batch_alter_table('checkin_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_search_terms_registration_term')
        batch_op.create_index(batch_op.f('ix_checkin_search_terms_registration_id'), ['registration_id'], unique=False)

