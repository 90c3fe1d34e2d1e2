"""team keys: api keys of a team, and who made each key

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None, reflect_kwargs={'resolve_fks': False}) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.String(length=22), nullable=True))
        batch_op.add_column(sa.Column('created_by', sa.String(length=22), nullable=True))
        batch_op.alter_column('user_id', existing_type=sa.String(length=22), nullable=True)
        batch_op.create_index(batch_op.f('ix_api_keys_team_id'), ['team_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_keys_team_id_teams'), 'teams', ['team_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_api_keys_created_by_users'), 'users', ['created_by'], ['id'], ondelete='SET NULL')
    op.execute('UPDATE api_keys SET created_by = user_id')


def downgrade() -> None:
    op.execute('DELETE FROM api_keys WHERE user_id IS NULL')
    with op.batch_alter_table('api_keys', schema=None, reflect_kwargs={'resolve_fks': False}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_keys_created_by_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_api_keys_team_id_teams'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_keys_team_id'))
        batch_op.alter_column('user_id', existing_type=sa.String(length=22), nullable=False)
        batch_op.drop_column('created_by')
        batch_op.drop_column('team_id')
