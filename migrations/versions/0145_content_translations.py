"""events' content in several languages: events.languages / default_language, and a `translations`
JSON column on every translatable row (events, categories, questions, sessions, tracks, reports)

Revision ID: 0145_content_translations
Revises: 0150_registration_language
Create Date: 2026-12-03 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0145_content_translations'
down_revision = '0150_registration_language'
branch_labels = None
depends_on = None

TRANSLATED_TABLES = ('events', 'registration_categories', 'questions', 'program_sessions', 'program_tracks', 'reports')


# Plain ALTER TABLE ADD / DROP COLUMN, never a batch: on SQLite a batch may recreate the table,
# and dropping the old `events` (foreign keys on) deletes every row that cascades from it.
def upgrade():
    op.add_column('events', sa.Column('languages', sa.JSON(), nullable=False, server_default=sa.text("'[\"en\"]'")))
    op.add_column('events', sa.Column('default_language', sa.String(length=8), nullable=False, server_default='en'))
    for table in TRANSLATED_TABLES:
        op.add_column(table, sa.Column('translations', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade():
    for table in reversed(TRANSLATED_TABLES):
        op.drop_column(table, 'translations')
    op.drop_column('events', 'default_language')
    op.drop_column('events', 'languages')
