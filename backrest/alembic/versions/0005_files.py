"""files: content-addressed blobs, and the default app's files type

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:02:03.289337
"""

import sqlalchemy as sa
from alembic import op

from backrest.db import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('claimed', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blobs'))
    )
    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blobs_claimed'), ['claimed'], unique=False)

    op.create_table('files',
    sa.Column('description', sa.UnicodeText(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created', UTCDateTime(), nullable=False),
    sa.Column('modified', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('owner_id', sa.String(length=22), nullable=True),
    sa.Column('id', sa.String(length=22), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_files_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], name=op.f('fk_files_sha256_blobs'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_files'))
    )
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.create_index('ix_files_created_id', ['created', 'id'], unique=False)
        batch_op.create_index('ix_files_modified_id', ['modified', 'id'], unique=False)
        batch_op.create_index('ix_files_owner_id_modified', ['owner_id', 'modified'], unique=False)
        batch_op.create_index('ix_files_public_modified', ['public', 'modified'], unique=False)
        batch_op.create_index(batch_op.f('ix_files_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_files_sha256'))
        batch_op.drop_index('ix_files_public_modified')
        batch_op.drop_index('ix_files_owner_id_modified')
        batch_op.drop_index('ix_files_modified_id')
        batch_op.drop_index('ix_files_created_id')

    op.drop_table('files')
    with op.batch_alter_table('blobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blobs_claimed'))

    op.drop_table('blobs')
