"""check-in: prefix index of name, email and organisation words for the desk search (backfilled)

Revision ID: 0100_checkin_search_terms
Revises: 0097_registration_export_index
Create Date: 2026-11-21 12:15:37.076518

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0100_checkin_search_terms'
down_revision = '0097_registration_export_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkin_search_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_checkin_search_terms_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_checkin_search_terms_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_search_terms'))
    )
    with op.batch_alter_table('checkin_search_terms', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_search_terms_event_term', ['event_id', 'term', 'registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_search_terms_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_event_search'))


    _backfill()


def _backfill():
    """Cut the words of the registrations already stored (the app's own function: pure, stable)."""
    from confapp.checkin.search import terms_for

    bind = op.get_bind()
    organisation = dict(bind.execute(sa.text(
        "SELECT a.registration_id, a.value FROM answers a JOIN questions q ON q.id = a.question_id "
        "WHERE q.builtin_key = 'organisation'")).all())
    rows = bind.execute(sa.text("SELECT id, event_id, first_name, last_name, email FROM registrations")).all()
    table = sa.table("checkin_search_terms", sa.column("event_id", sa.Integer), sa.column("registration_id", sa.Integer),
                     sa.column("term", sa.String))
    values = [{"event_id": event_id, "registration_id": rid, "term": term}
              for rid, event_id, first, last, email in rows
              for term in terms_for(first or "", last or "", email or "", organisation.get(rid, ""))]
    for start in range(0, len(values), 5000):
        op.bulk_insert(table, values[start:start + 5000])


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_event_search'), ['event_id', 'search_text'], unique=False)

    with op.batch_alter_table('checkin_search_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_search_terms_registration_id'))
        batch_op.drop_index('ix_checkin_search_terms_event_term')

    op.drop_table('checkin_search_terms')
