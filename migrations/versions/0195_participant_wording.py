"""reports: what organisers write for participants (issue 13), the certificate's wording and the
feedback survey's introduction, overall question and comment prompt, in the event's default
language with the others in `translations`. A new table: code already deployed never reads it.

Revision ID: 0195_participant_wording
Revises: 0190_series_answers
Create Date: 2026-12-04 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0195_participant_wording'
down_revision = '0190_series_answers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'participant_wordings',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('certificate_text', sa.Text(), nullable=False),
        sa.Column('survey_intro', sa.Text(), nullable=False),
        sa.Column('survey_overall', sa.String(length=300), nullable=False),
        sa.Column('survey_comment', sa.String(length=300), nullable=False),
        sa.Column('translations', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_participant_wordings_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_participant_wordings')),
    )


def downgrade():
    op.drop_table('participant_wordings')
