"""team invitations: addresses invited to join a team, with the hash of their mailed token

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from backrest.db import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('team_invitations',
    sa.Column('team_id', sa.String(length=22), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created', UTCDateTime(), nullable=False),
    sa.Column('expires', UTCDateTime(), nullable=False),
    sa.Column('used', UTCDateTime(), nullable=True),
    sa.Column('id', sa.String(length=22), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_invitations_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_team_invitations_token_hash'))
    )
    with op.batch_alter_table('team_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_invitations_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('team_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_invitations_team_id'))

    op.drop_table('team_invitations')
