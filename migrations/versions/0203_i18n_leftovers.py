"""outreach: the names a message's segment refers to (categories, sessions, questions) in each of
the event's languages, saved with it, so the history describes its audience in the reader's
language instead of the words of whoever saved it. Nullable: older messages keep their label.

Revision ID: 0203_i18n_leftovers
Revises: 0202_partner_tokens
Create Date: 2026-12-07 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0203_i18n_leftovers'
down_revision = '0202_partner_tokens'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (see 0145): a SQLite batch may recreate a table, and dropping the old one
# cascades to the rows that refer to it.
def upgrade():
    op.add_column('outreach_messages', sa.Column('segment_names', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('outreach_messages', 'segment_names')
