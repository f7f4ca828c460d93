"""outreach: one version of an announcement per event language, the organiser's fallback choice,
and the language each delivery was sent in

Revision ID: 0155_message_languages
Revises: 0145_content_translations
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0155_message_languages'
down_revision = '0145_content_translations'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (see 0145): a SQLite batch may recreate a table, and dropping the old one
# cascades to the rows that refer to it.
def upgrade():
    op.add_column('outreach_messages', sa.Column('translations', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    op.add_column('outreach_messages', sa.Column('untranslated_fallback', sa.Boolean(), nullable=False,
                                                 server_default=sa.false()))
    op.add_column('outreach_deliveries', sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    op.drop_column('outreach_deliveries', 'language')
    op.drop_column('outreach_messages', 'untranslated_fallback')
    op.drop_column('outreach_messages', 'translations')
