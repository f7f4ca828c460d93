"""registration export index: keyset batches over an event's registrations in id order

Revision ID: 0097_registration_export_index
Revises: 0095_checkin_search
Create Date: 2026-11-21 12:10:00

"""
from alembic import op


revision = '0097_registration_export_index'
down_revision = '0095_checkin_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_event_id', ['event_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_id')
