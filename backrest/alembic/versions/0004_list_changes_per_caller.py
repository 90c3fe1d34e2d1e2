"""lists: removals per principal; indexes for each caller's Last-Modified and for ties

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from backrest.db import UTCDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

EVERYONE = 'system.Everyone'


def upgrade() -> None:
    # A deletion used to be remembered for the whole collection: it is kept for
    # everyone, so no client misses it, and later ones per principal.
    removals = op.create_table('content_removals',
    sa.Column('collection', sa.String(length=64), nullable=False),
    sa.Column('principal', sa.String(length=100), nullable=False),
    sa.Column('removed', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('collection', 'principal', name=op.f('pk_content_removals'))
    )
    deletions = sa.table('content_deletions', sa.column('collection'), sa.column('deleted'))
    op.execute(removals.insert().from_select(
        ['collection', 'principal', 'removed'],
        sa.select(deletions.c.collection, sa.literal(EVERYONE), deletions.c.deleted),
    ))
    op.drop_table('content_deletions')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_owner_id'))
        batch_op.drop_index(batch_op.f('ix_documents_created'))
        batch_op.drop_index(batch_op.f('ix_documents_modified'))
        batch_op.create_index('ix_documents_created_id', ['created', 'id'], unique=False)
        batch_op.create_index('ix_documents_modified_id', ['modified', 'id'], unique=False)
        batch_op.create_index('ix_documents_owner_id_modified', ['owner_id', 'modified'], unique=False)
        batch_op.create_index('ix_documents_public_modified', ['public', 'modified'], unique=False)
        batch_op.create_index('ix_documents_status_id', ['status', 'id'], unique=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_owner_id'))
        batch_op.create_index('ix_audit_log_actor_id_created', ['actor_id', 'created'], unique=False)
        batch_op.create_index('ix_audit_log_owner_id_created', ['owner_id', 'created'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_owner_id_created')
        batch_op.drop_index('ix_audit_log_actor_id_created')
        batch_op.create_index(batch_op.f('ix_audit_log_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_status_id')
        batch_op.drop_index('ix_documents_public_modified')
        batch_op.drop_index('ix_documents_owner_id_modified')
        batch_op.drop_index('ix_documents_modified_id')
        batch_op.drop_index('ix_documents_created_id')
        batch_op.create_index(batch_op.f('ix_documents_modified'), ['modified'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_created'), ['created'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_owner_id'), ['owner_id'], unique=False)
    deletions = op.create_table('content_deletions',
    sa.Column('collection', sa.String(length=64), nullable=False),
    sa.Column('deleted', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('collection', name=op.f('pk_content_deletions'))
    )
    removals = sa.table('content_removals', sa.column('collection'), sa.column('removed'))
    op.execute(deletions.insert().from_select(
        ['collection', 'deleted'],
        sa.select(removals.c.collection, sa.func.max(removals.c.removed)).group_by(removals.c.collection),
    ))
    op.drop_table('content_removals')
