"""online: recurrence rules of webcast series, the editions they created (one per rule and start)
and the people registered for every upcoming edition

Revision ID: 0180_webcast_series
Revises: 0175_recordings
Create Date: 2026-12-04 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0180_webcast_series'
down_revision = '0175_recordings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'online_series_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('template_event_id', sa.Integer(), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('ordinal', sa.Integer(), nullable=True),
        sa.Column('interval', sa.Integer(), nullable=False),
        sa.Column('at_time', sa.String(length=5), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('count', sa.Integer(), nullable=True),
        sa.Column('exceptions', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_online_series_rules_series_id_series'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['template_event_id'], ['events.id'],
                                name=op.f('fk_online_series_rules_template_event_id_events'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_series_rules')),
        sa.UniqueConstraint('series_id', name=op.f('uq_online_series_rules_series_id')),
    )
    op.create_table(
        'online_series_editions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_online_series_editions_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['rule_id'], ['online_series_rules.id'],
                                name=op.f('fk_online_series_editions_rule_id_online_series_rules'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_series_editions')),
        sa.UniqueConstraint('event_id', name=op.f('uq_online_series_editions_event_id')),
        sa.UniqueConstraint('rule_id', 'starts_at', name='uq_online_series_editions_rule_start'),
    )
    op.create_table(
        'online_series_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('first_name', sa.String(length=100), nullable=False),
        sa.Column('last_name', sa.String(length=100), nullable=False),
        sa.Column('category_name', sa.String(length=200), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['rule_id'], ['online_series_rules.id'],
                                name=op.f('fk_online_series_subscriptions_rule_id_online_series_rules'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_series_subscriptions')),
        sa.UniqueConstraint('rule_id', 'email', name='uq_online_series_subscriptions_rule_email'),
    )
    op.create_index(op.f('ix_online_series_subscriptions_rule_id'), 'online_series_subscriptions', ['rule_id'])


def downgrade():
    op.drop_index(op.f('ix_online_series_subscriptions_rule_id'), table_name='online_series_subscriptions')
    op.drop_table('online_series_subscriptions')
    op.drop_table('online_series_editions')
    op.drop_table('online_series_rules')
