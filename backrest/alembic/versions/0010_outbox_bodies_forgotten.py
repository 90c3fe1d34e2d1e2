"""outbox bodies forgotten: messages already sent or given up keep no body (it may hold a token link).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

outbox = sa.table('mail_outbox', sa.column('body', sa.Text()), sa.column('sent'), sa.column('failed'))


def upgrade() -> None:
    op.execute(
        outbox.update()
        .where(sa.or_(outbox.c.sent.is_not(None), outbox.c.failed.is_not(None)))
        .values(body='')
    )


def downgrade() -> None:
    """The bodies are gone: nothing to put back."""
