"""reports: the dashboard's figures cached per event, with the time they were computed

Revision ID: 0115_reports_figures_cache
Revises: 0110_checkin_search_collation
Create Date: 2026-11-21 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0115_reports_figures_cache'
down_revision = '0110_checkin_search_collation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_figures_cache',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_report_figures_cache_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_report_figures_cache'))
    )


def downgrade():
    op.drop_table('report_figures_cache')
