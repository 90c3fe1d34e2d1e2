"""The migrations' lock: how long a migration waits for a table, and the key operators look for."""

from pathlib import Path

import pytest

from backrest.migrations import MIGRATION_LOCK
from backrest.settings import resolve

URL = "sqlite://"
ROOT = Path(__file__).resolve().parents[2]


def test_a_migration_waits_five_seconds_for_a_lock_by_default():
    assert resolve({"sqlalchemy.url": URL}, environ={})["backrest.db.migration_lock_timeout"] == 5


def test_a_deploy_may_give_one_run_longer_from_the_environment():
    environ = {"BACKREST_DB_MIGRATION_LOCK_TIMEOUT": "60"}
    assert resolve({"sqlalchemy.url": URL}, environ=environ)["backrest.db.migration_lock_timeout"] == 60


@pytest.mark.parametrize("timeout", ["0", "-5", "5s", "3601"])
def test_the_lock_timeout_is_a_number_of_seconds_that_ends(timeout):
    with pytest.raises(ValueError, match=r"^setting backrest\.db\.migration_lock_timeout: "):
        resolve({"sqlalchemy.url": URL, "backrest.db.migration_lock_timeout": timeout}, environ={})


def test_the_deployment_docs_give_the_advisory_lock_key():
    deployment = (ROOT / "docs" / "deployment.rst").read_text()
    assert f"``{MIGRATION_LOCK}``" in deployment
    assert f"classid = {MIGRATION_LOCK >> 32} AND objid = {MIGRATION_LOCK & 0xFFFFFFFF}" in deployment
