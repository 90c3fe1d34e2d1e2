"""documents: status indexes for filtered, ordered lists

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:33:51.490945
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A status filter with an ordering reads the first rows of one index range
    # (benchmarks/, docs/performance.rst): the status-only index made SQLite sort
    # every document of the status instead.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_status'))
        batch_op.create_index('ix_documents_status_created', ['status', 'created'], unique=False)
        batch_op.create_index('ix_documents_status_modified', ['status', 'modified'], unique=False)
        batch_op.create_index('ix_documents_status_title', ['status', 'title'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_status_title')
        batch_op.drop_index('ix_documents_status_modified')
        batch_op.drop_index('ix_documents_status_created')
        batch_op.create_index(batch_op.f('ix_documents_status'), ['status'], unique=False)
