"""registration: mail outbox, written with the order and rendered by a job after commit

Revision ID: 0165_registration_mail_outbox
Revises: 0170_webhooks
Create Date: 2026-12-03 17:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0165_registration_mail_outbox'
down_revision = '0170_webhooks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'registration_mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('waitlist_entry_id', sa.Integer(), nullable=True),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claim_token', sa.String(length=32), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('message_ids', sa.JSON(), nullable=False),
        sa.Column('error', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_registration_mail_outbox_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_registration_mail_outbox_order_id_orders'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_registration_mail_outbox_registration_id_registrations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['waitlist_entry_id'], ['waitlist_entries.id'],
                                name=op.f('fk_registration_mail_outbox_waitlist_entry_id_waitlist_entries'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_mail_outbox')),
    )
    op.create_index('ix_registration_mail_outbox_state_due', 'registration_mail_outbox', ['state', 'next_attempt_at'])
    op.create_index(op.f('ix_registration_mail_outbox_order_id'), 'registration_mail_outbox', ['order_id'])


def downgrade():
    op.drop_index(op.f('ix_registration_mail_outbox_order_id'), table_name='registration_mail_outbox')
    op.drop_index('ix_registration_mail_outbox_state_due', table_name='registration_mail_outbox')
    op.drop_table('registration_mail_outbox')
