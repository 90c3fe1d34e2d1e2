"""oauth applications: the clients admins register, with the keyed hash of a confidential one's secret

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from backrest.db import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oauth_applications',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.UnicodeText(), nullable=False),
    sa.Column('client_type', sa.String(length=20), nullable=False),
    sa.Column('redirect_uris', sa.JSON(), nullable=False),
    sa.Column('grant_types', sa.JSON(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=True),
    sa.Column('created', UTCDateTime(), nullable=False),
    sa.Column('modified', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('owner_id', sa.String(length=22), nullable=True),
    sa.Column('id', sa.String(length=22), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_oauth_applications_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_applications'))
    )
    with op.batch_alter_table('oauth_applications', schema=None) as batch_op:
        batch_op.create_index('ix_oauth_applications_client_type_name', ['client_type', 'name'], unique=False)
        batch_op.create_index('ix_oauth_applications_created_id', ['created', 'id'], unique=False)
        batch_op.create_index('ix_oauth_applications_modified_id', ['modified', 'id'], unique=False)
        batch_op.create_index('ix_oauth_applications_name_id', ['name', 'id'], unique=False)
        batch_op.create_index('ix_oauth_applications_owner_id_modified', ['owner_id', 'modified'], unique=False)
        batch_op.create_index('ix_oauth_applications_public_modified', ['public', 'modified'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('oauth_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_oauth_applications_public_modified')
        batch_op.drop_index('ix_oauth_applications_owner_id_modified')
        batch_op.drop_index('ix_oauth_applications_name_id')
        batch_op.drop_index('ix_oauth_applications_modified_id')
        batch_op.drop_index('ix_oauth_applications_created_id')
        batch_op.drop_index('ix_oauth_applications_client_type_name')

    op.drop_table('oauth_applications')
