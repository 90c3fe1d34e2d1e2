"""oauth grants, codes and tokens: what users agreed to, and the keyed hashes of what was issued from it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from backrest.db import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oauth_grants',
    sa.Column('user_id', sa.String(length=22), nullable=False),
    sa.Column('application_id', sa.String(length=22), nullable=False),
    sa.Column('scopes', sa.String(length=100), nullable=False),
    sa.Column('created', UTCDateTime(), nullable=False),
    sa.Column('last_used', UTCDateTime(), nullable=True),
    sa.Column('revoked', UTCDateTime(), nullable=True),
    sa.Column('id', sa.String(length=22), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['oauth_applications.id'], name=op.f('fk_oauth_grants_application_id_oauth_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oauth_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_grants'))
    )
    with op.batch_alter_table('oauth_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_grants_application_id'), ['application_id'], unique=False)
        batch_op.create_index('ix_oauth_grants_user_id_application_id', ['user_id', 'application_id'], unique=False)

    op.create_table('oauth_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('grant_id', sa.String(length=22), nullable=False),
    sa.Column('family', sa.String(length=22), nullable=False),
    sa.Column('redirect_uri', sa.UnicodeText(), nullable=False),
    sa.Column('scopes', sa.String(length=100), nullable=False),
    sa.Column('code_challenge', sa.String(length=128), nullable=True),
    sa.Column('code_challenge_method', sa.String(length=10), nullable=True),
    sa.Column('created', UTCDateTime(), nullable=False),
    sa.Column('expires', UTCDateTime(), nullable=False),
    sa.Column('used', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['grant_id'], ['oauth_grants.id'], name=op.f('fk_oauth_codes_grant_id_oauth_grants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_oauth_codes'))
    )
    with op.batch_alter_table('oauth_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_codes_grant_id'), ['grant_id'], unique=False)

    op.create_table('oauth_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('grant_id', sa.String(length=22), nullable=False),
    sa.Column('family', sa.String(length=22), nullable=False),
    sa.Column('scopes', sa.String(length=100), nullable=False),
    sa.Column('created', UTCDateTime(), nullable=False),
    sa.Column('expires', UTCDateTime(), nullable=False),
    sa.Column('rotated', UTCDateTime(), nullable=True),
    sa.Column('revoked', UTCDateTime(), nullable=True),
    sa.Column('id', sa.String(length=22), nullable=False),
    sa.ForeignKeyConstraint(['grant_id'], ['oauth_grants.id'], name=op.f('fk_oauth_tokens_grant_id_oauth_grants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_oauth_tokens_token_hash'))
    )
    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_tokens_family'), ['family'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_tokens_grant_id'), ['grant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_tokens_grant_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_tokens_family'))

    op.drop_table('oauth_tokens')
    with op.batch_alter_table('oauth_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_codes_grant_id'))

    op.drop_table('oauth_codes')
    with op.batch_alter_table('oauth_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_oauth_grants_user_id_application_id')
        batch_op.drop_index(batch_op.f('ix_oauth_grants_application_id'))

    op.drop_table('oauth_grants')
