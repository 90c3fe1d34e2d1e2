"""Bringing a database schema up to date with the alembic migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "backrest:alembic")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def pending(engine: Engine) -> bool:
    """Whether the database's schema is behind the migrations of this version (``backrest migrate``)."""
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(ScriptDirectory.from_config(alembic_config()).get_heads())
