"""content: documents, deletions, audit owners

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:02:59.745741
"""

import sqlalchemy as sa
from alembic import op

from backrest.db import UTCDateTime

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_deletions',
    sa.Column('collection', sa.String(length=64), nullable=False),
    sa.Column('deleted', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('collection', name=op.f('pk_content_deletions'))
    )
    op.create_table('documents',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.UnicodeText(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('created', UTCDateTime(), nullable=False),
    sa.Column('modified', UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('owner_id', sa.String(length=22), nullable=True),
    sa.Column('id', sa.String(length=22), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_documents_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_created'), ['created'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_modified'), ['modified'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_title'), ['title'], unique=False)

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        # Public ids are opaque: a counter would tell how many entries exist.
        batch_op.alter_column(
            'id', existing_type=sa.Integer(), type_=sa.String(length=22), server_default=None,
            postgresql_using='id::text',
        )
        batch_op.add_column(sa.Column('owner_id', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_owner_id'), ['owner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_owner_id'))
        batch_op.drop_column('owner_id')
        batch_op.alter_column(
            'id', existing_type=sa.String(length=22), type_=sa.Integer(), postgresql_using='id::integer'
        )

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_title'))
        batch_op.drop_index(batch_op.f('ix_documents_status'))
        batch_op.drop_index(batch_op.f('ix_documents_owner_id'))
        batch_op.drop_index(batch_op.f('ix_documents_modified'))
        batch_op.drop_index(batch_op.f('ix_documents_created'))

    op.drop_table('documents')
    op.drop_table('content_deletions')
