"""merge: the series' cancelled editions (0201) and partner tokens (0202) both follow 0195; one head
again. Nothing to do either way: each branch's tables are independent.

Revision ID: 0203_merge_series_partner
Revises: 0201_series_cancelled_editions, 0202_partner_tokens
Create Date: 2026-12-07 14:45:00

"""


# revision identifiers, used by Alembic.
revision = '0203_merge_series_partner'
down_revision = ('0201_series_cancelled_editions', '0202_partner_tokens')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
