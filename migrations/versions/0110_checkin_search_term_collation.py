"""check-in: search terms compare byte by byte on PostgreSQL (collation "C")

A language collation (en_US.UTF-8, ICU) sorts "dia{" before "diaz", so the prefix range the desk's
search scans for "diaz" was empty on such a cluster. SQLite already compares bytes: nothing to do.

Revision ID: 0110_checkin_search_collation
Revises: 0105_checkin_search_probe
Create Date: 2026-11-21 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0110_checkin_search_collation'
down_revision = '0105_checkin_search_probe'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Rebuilds the two indexes on the column, in their new order.
        op.alter_column("checkin_search_terms", "term", type_=sa.String(80, collation="C"),
                        existing_type=sa.String(80), existing_nullable=False)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE checkin_search_terms ALTER COLUMN term TYPE VARCHAR(80) COLLATE "default"')
