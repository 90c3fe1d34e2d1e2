"""teams, their members and grants, and objects shared with teams

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from backrest.db import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('teams',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.UnicodeText(), nullable=False),
    sa.Column('created', UTCDateTime(), nullable=False),
    sa.Column('modified', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('owner_id', sa.String(length=22), nullable=True),
    sa.Column('id', sa.String(length=22), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_teams_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index('ix_teams_created_id', ['created', 'id'], unique=False)
        batch_op.create_index('ix_teams_modified_id', ['modified', 'id'], unique=False)
        batch_op.create_index('ix_teams_owner_id_modified', ['owner_id', 'modified'], unique=False)
        batch_op.create_index('ix_teams_public_modified', ['public', 'modified'], unique=False)

    op.create_table('team_grants',
    sa.Column('team_id', sa.String(length=22), nullable=False),
    sa.Column('permission', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_grants_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'permission', name=op.f('pk_team_grants'))
    )
    op.create_table('team_members',
    sa.Column('team_id', sa.String(length=22), nullable=False),
    sa.Column('user_id', sa.String(length=22), nullable=False),
    sa.Column('added', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_team_members'))
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_user_id'), ['user_id'], unique=False)

    op.create_table('content_shares',
    sa.Column('collection', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.String(length=22), nullable=False),
    sa.Column('team_id', sa.String(length=22), nullable=False),
    sa.Column('shared', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_content_shares_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('collection', 'object_id', 'team_id', name=op.f('pk_content_shares'))
    )
    with op.batch_alter_table('content_shares', schema=None) as batch_op:
        batch_op.create_index('ix_content_shares_team_id_collection', ['team_id', 'collection', 'object_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('content_shares', schema=None) as batch_op:
        batch_op.drop_index('ix_content_shares_team_id_collection')

    op.drop_table('content_shares')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_user_id'))

    op.drop_table('team_members')
    op.drop_table('team_grants')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index('ix_teams_public_modified')
        batch_op.drop_index('ix_teams_owner_id_modified')
        batch_op.drop_index('ix_teams_modified_id')
        batch_op.drop_index('ix_teams_created_id')

    op.drop_table('teams')
