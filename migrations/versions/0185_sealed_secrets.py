"""webhooks: room for sealed signing secrets (confapp/sealing.py): webhook_endpoints.secret from 100
to 400 characters. Only widens: code already deployed keeps reading and writing plain secrets,
and the new code reads both; `flask webhooks seal-secrets` seals the plain ones after the rollout.

Revision ID: 0185_sealed_secrets
Revises: 0180_webcast_series
Create Date: 2026-12-04 19:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0185_sealed_secrets'
down_revision = '0180_webcast_series'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_endpoints') as batch:
        batch.alter_column('secret', existing_type=sa.String(length=100), type_=sa.String(length=400),
                           existing_nullable=False)


def downgrade():
    with op.batch_alter_table('webhook_endpoints') as batch:
        batch.alter_column('secret', existing_type=sa.String(length=400), type_=sa.String(length=100),
                           existing_nullable=False)
