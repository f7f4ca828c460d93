"""online: the dates whose series edition was cancelled, so that taking an exception off again
(or a rule change that brings the date back) never puts an edition on a cancelled date. A new
table: code already deployed never reads it.

Revision ID: 0201_series_cancelled_editions
Revises: 0195_participant_wording
Create Date: 2026-12-07 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0201_series_cancelled_editions'
down_revision = '0195_participant_wording'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'online_series_cancelled_editions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_online_series_cancelled_editions_event_id_events'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['rule_id'], ['online_series_rules.id'],
                                name=op.f('fk_online_series_cancelled_editions_rule_id_online_series_rules'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_series_cancelled_editions')),
        sa.UniqueConstraint('rule_id', 'local_date', name='uq_online_series_cancelled_editions_rule_date'),
    )


def downgrade():
    op.drop_table('online_series_cancelled_editions')
