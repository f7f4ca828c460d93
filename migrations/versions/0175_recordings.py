"""online: recording and materials links per event or session, shown to registered attendees or publicly;
events.has_public_follow_up

Revision ID: 0175_recordings
Revises: 0160_online_attendance
Create Date: 2026-12-04 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0175_recordings'
down_revision = '0160_online_attendance'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('has_public_follow_up', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'online_follow_up_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('recording_url', sa.String(length=500), nullable=False),
        sa.Column('materials', sa.Text(), nullable=False),
        sa.Column('visibility', sa.String(length=32), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_online_follow_up_links_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['program_sessions.id'],
                                name=op.f('fk_online_follow_up_links_session_id_program_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_follow_up_links')),
    )
    op.create_index('uq_online_follow_up_links_session', 'online_follow_up_links', ['session_id'], unique=True,
                    sqlite_where=sa.text('session_id IS NOT NULL'), postgresql_where=sa.text('session_id IS NOT NULL'))
    op.create_index('uq_online_follow_up_links_event', 'online_follow_up_links', ['event_id'], unique=True,
                    sqlite_where=sa.text('session_id IS NULL'), postgresql_where=sa.text('session_id IS NULL'))


def downgrade():
    op.drop_index('uq_online_follow_up_links_event', table_name='online_follow_up_links')
    op.drop_index('uq_online_follow_up_links_session', table_name='online_follow_up_links')
    op.drop_table('online_follow_up_links')
    op.drop_column('events', 'has_public_follow_up')
