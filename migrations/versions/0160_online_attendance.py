"""online: attendance modes (event, category, session), join details, online attendance, revoked join links

Revision ID: 0160_online_attendance
Revises: 0165_registration_mail_outbox
Create Date: 2026-12-03 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0160_online_attendance'
down_revision = '0165_registration_mail_outbox'
branch_labels = None
depends_on = None


# Plain ALTER TABLE ADD / DROP COLUMN, never a batch: on SQLite a batch may recreate the table,
# and dropping the old `events` (foreign keys on) deletes every row that cascades from it.
def upgrade():
    op.add_column('events', sa.Column('attendance_mode', sa.String(length=32), nullable=False, server_default='in_person'))
    op.add_column('registration_categories',
                  sa.Column('attendance_mode', sa.String(length=32), nullable=False, server_default='in_person'))
    op.add_column('program_sessions', sa.Column('delivery', sa.String(length=32), nullable=True))

    op.create_table(
        'online_join_details',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('meeting_url', sa.String(length=500), nullable=False),
        sa.Column('dial_in_numbers', sa.Text(), nullable=False),
        sa.Column('access_code', sa.String(length=100), nullable=False),
        sa.Column('instructions', sa.Text(), nullable=False),
        sa.Column('reveal_minutes', sa.Integer(), nullable=False),
        sa.Column('in_person_may_join', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_online_join_details_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['program_sessions.id'],
                                name=op.f('fk_online_join_details_session_id_program_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_join_details')),
    )
    op.create_index('uq_online_join_details_session', 'online_join_details', ['session_id'], unique=True,
                    sqlite_where=sa.text('session_id IS NOT NULL'), postgresql_where=sa.text('session_id IS NOT NULL'))
    op.create_index('uq_online_join_details_event', 'online_join_details', ['event_id'], unique=True,
                    sqlite_where=sa.text('session_id IS NULL'), postgresql_where=sa.text('session_id IS NULL'))

    op.create_table(
        'online_attendances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('marked_by_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_online_attendances_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_online_attendances_registration_id_registrations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['program_sessions.id'],
                                name=op.f('fk_online_attendances_session_id_program_sessions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['marked_by_user_id'], ['users.id'],
                                name=op.f('fk_online_attendances_marked_by_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_attendances')),
    )
    op.create_index('uq_online_attendances_session', 'online_attendances', ['registration_id', 'session_id'], unique=True,
                    sqlite_where=sa.text('session_id IS NOT NULL'), postgresql_where=sa.text('session_id IS NOT NULL'))
    op.create_index('uq_online_attendances_event', 'online_attendances', ['registration_id'], unique=True,
                    sqlite_where=sa.text('session_id IS NULL'), postgresql_where=sa.text('session_id IS NULL'))
    op.create_index('ix_online_attendances_event', 'online_attendances', ['event_id', 'session_id'])

    op.create_table(
        'online_join_revocations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_by_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_online_join_revocations_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_online_join_revocations_registration_id_registrations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['revoked_by_user_id'], ['users.id'],
                                name=op.f('fk_online_join_revocations_revoked_by_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_online_join_revocations')),
    )
    op.create_index(op.f('ix_online_join_revocations_registration_id'), 'online_join_revocations', ['registration_id'])


def downgrade():
    op.drop_index(op.f('ix_online_join_revocations_registration_id'), table_name='online_join_revocations')
    op.drop_table('online_join_revocations')
    op.drop_index('ix_online_attendances_event', table_name='online_attendances')
    op.drop_index('uq_online_attendances_event', table_name='online_attendances')
    op.drop_index('uq_online_attendances_session', table_name='online_attendances')
    op.drop_table('online_attendances')
    op.drop_index('uq_online_join_details_event', table_name='online_join_details')
    op.drop_index('uq_online_join_details_session', table_name='online_join_details')
    op.drop_table('online_join_details')
    op.drop_column('program_sessions', 'delivery')
    op.drop_column('registration_categories', 'attendance_mode')
    op.drop_column('events', 'attendance_mode')
