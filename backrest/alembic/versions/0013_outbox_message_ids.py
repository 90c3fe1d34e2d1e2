"""outbox message ids: each message's Message-ID, chosen when it is queued, so a resend carries the same

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 07:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('mail_outbox', sa.Column('message_id', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mail_outbox') as batch:
        batch.drop_column('message_id')
