"""registration list index: the organiser's list pages newest first

Revision ID: 0090_registration_list_index
Revises: 0080_payments
Create Date: 2026-11-21 12:05:00

"""
from alembic import op


revision = '0090_registration_list_index'
down_revision = '0080_payments'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_event_created', ['event_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_created')
