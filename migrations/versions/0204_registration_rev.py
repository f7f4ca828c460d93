"""events.registration_rev: changes with the event's registration settings, categories and
questions, so web processes keep their copies of them between orders (issue 16). Existing rows
start at "0" (a process holds copies keyed by event id and this value: one value per event is
enough); code already deployed never reads it.

Revision ID: 0204_registration_rev
Revises: 0203_i18n_leftovers
Create Date: 2026-12-07 14:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0204_registration_rev'
down_revision = '0203_i18n_leftovers'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('registration_rev', sa.String(length=16), nullable=False, server_default='0'))


def downgrade():
    # Not batch mode: on SQLite it would recreate events, and dropping the old table deletes
    # every row that cascades from it (ALTER TABLE ... DROP COLUMN, SQLite 3.35+, does not).
    op.drop_column('events', 'registration_rev')
