"""stored files in the database (speaker photos), so that every web host serves them; moves the
photos this host wrote under its instance folder into the table

Revision ID: 0120_stored_files
Revises: 0115_reports_figures_cache
Create Date: 2026-12-03 08:10:00

The move reads only the folder of the host that runs `flask db upgrade`. On a deployment that ran
several hosts with separate instance folders, run `flask program import-photos` once on each
of the others (it does the same, and skips what is already stored). A photo whose file is on no
host is shown as missing, as it was before on every host but the one that received it.
Downgrading writes the stored photos back to the folder, then drops the table.
"""
from pathlib import Path

from alembic import context, op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0120_stored_files'
down_revision = '0115_reports_figures_cache'
branch_labels = None
depends_on = None

# Kept here rather than imported: a migration must not change when the application does.
_PREFIX = 'speaker_photos/'
_HEX = set('0123456789abcdef')


def _safe(name):
    stem, _, ext = name.partition('.')
    return ext == 'jpg' and len(stem) == 32 and set(stem) <= _HEX


def _folder():
    from flask import current_app

    return Path(current_app.instance_path) / 'speaker_photos'


def upgrade():
    stored_files = op.create_table('stored_files',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_files'))
    )
    if context.is_offline_mode():
        return
    bind = op.get_bind()
    names = bind.execute(sa.text('SELECT DISTINCT photo_filename FROM program_speakers WHERE photo_filename IS NOT NULL')).scalars()
    folder = _folder()
    for name in names:
        path = folder / name
        if _safe(name) and path.is_file():
            data = path.read_bytes()
            bind.execute(stored_files.insert().values(key=_PREFIX + name, content_type='image/jpeg', data=data,
                                                      size=len(data), created_at=sa.func.current_timestamp()))


def downgrade():
    if not context.is_offline_mode():
        bind = op.get_bind()
        rows = bind.execute(sa.text('SELECT key, data FROM stored_files WHERE key LIKE :prefix'), {'prefix': _PREFIX + '%'})
        folder = _folder()
        for key, data in rows:
            name = key[len(_PREFIX):]
            if _safe(name):
                folder.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(data)
    op.drop_table('stored_files')
