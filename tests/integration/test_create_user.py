"""``backrest create-user`` as an operator runs it: a confirmed account, or a refusal and exit status 1."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from backrest import main
from backrest.accounts.models import User
from backrest.audit.models import AuditEntry
from tests.client import Browser
from tests.conftest import CLIENT, PASSWORD, make_settings
from tests.integration.command import backrest, backrest_on_terminal, write_ini

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine


@pytest.fixture(scope="module")
def deployment_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("create-user")
    url = f"sqlite:///{directory / 'backrest.sqlite'}"
    # The schema comes from `backrest migrate`, as in production.
    return make_settings(url, directory / "mail", **{"backrest.db.auto_migrate": "false"})


@pytest.fixture(scope="module")
def ini(deployment_settings: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(write_ini(tmp_path_factory.mktemp("ini") / "deployment.ini", deployment_settings))
    migrated = backrest("migrate", path)
    assert migrated.returncode == 0, migrated.stderr
    return path


@pytest.fixture(scope="module")
def engine(deployment_settings: dict[str, str], ini: str) -> Iterator[Engine]:
    engine = create_engine(deployment_settings["sqlalchemy.url"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def service(deployment_settings: dict[str, str], ini: str) -> Iterator[Any]:
    """The application on the same database, in this process."""
    application = main({}, **deployment_settings)
    yield application
    application.registry["db_engine"].dispose()


def user(engine: Engine, email: str) -> User | None:
    with Session(engine) as dbsession:
        return dbsession.scalars(select(User).where(User.email == email)).first()


def test_an_account_from_the_environment_is_confirmed_and_logs_in(ini, engine, service):
    created = backrest("create-user", ini, "Ada@Example.COM", BACKREST_PASSWORD=PASSWORD)
    assert created.returncode == 0, created.stderr
    assert "created account Ada@example.com" in created.stdout
    row = user(engine, "Ada@example.com")
    assert row.email_verified
    assert not row.is_admin
    browser = Browser(service, extra_environ=dict(CLIENT))
    browser.login("ada@example.com", PASSWORD, status=200)
    assert browser.get("/-/userprofile").json["email_verified"] is True


def test_the_creation_is_in_the_audit_log_without_an_actor(ini, engine):
    assert backrest("create-user", ini, "audit@example.com", BACKREST_PASSWORD=PASSWORD).returncode == 0
    row = user(engine, "audit@example.com")
    with Session(engine) as dbsession:
        entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.object_id == row.id)).one()
    assert (entry.action, entry.actor_id, entry.owner_id) == ("account_created", None, row.id)
    assert entry.changes == {"is_admin": False}


def test_admin_makes_an_admin(ini, engine, service):
    created = backrest("create-user", ini, "root@example.com", "--admin", BACKREST_PASSWORD=PASSWORD)
    assert created.returncode == 0, created.stderr
    assert "created admin account root@example.com" in created.stdout
    assert user(engine, "root@example.com").is_admin
    browser = Browser(service, extra_environ=dict(CLIENT))
    browser.login("root@example.com", PASSWORD, status=200)


def test_a_taken_address_is_an_error_and_the_account_stays_as_it_was(ini, engine):
    assert backrest("create-user", ini, "taken@example.com", BACKREST_PASSWORD=PASSWORD).returncode == 0
    before = user(engine, "taken@example.com").password_hash
    again = backrest("create-user", ini, "TAKEN@example.com", "--admin", BACKREST_PASSWORD=PASSWORD + "!")
    assert again.returncode == 1
    assert "an account with the address TAKEN@example.com exists" in again.stderr
    after = user(engine, "taken@example.com")
    assert (after.password_hash, after.is_admin) == (before, False)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "The password must have at least 12 characters."),
        ("password1234", "This password is too common."),
        ("weak@example.com!", "The password must not contain the email address."),
    ],
)
def test_a_password_signup_refuses_is_refused(ini, engine, password, problem):
    refused = backrest("create-user", ini, "weak@example.com", BACKREST_PASSWORD=password)
    assert refused.returncode == 1
    assert problem in refused.stderr
    assert user(engine, "weak@example.com") is None


def test_an_invalid_address_is_refused(ini):
    refused = backrest("create-user", ini, "ada@", BACKREST_PASSWORD=PASSWORD)
    assert refused.returncode == 1
    assert "not a valid email address" in refused.stderr


def test_without_the_variable_or_a_terminal_nobody_can_give_a_password(ini, engine):
    refused = backrest("create-user", ini, "nobody@example.com")
    assert refused.returncode == 1
    assert "no password: set BACKREST_PASSWORD, or run the command on a terminal" in refused.stderr
    assert user(engine, "nobody@example.com") is None


def test_a_password_typed_twice_on_a_terminal(ini, engine, service):
    status, shown = backrest_on_terminal(
        "create-user", ini, "typed@example.com", answers=[PASSWORD, PASSWORD]
    )
    assert status == 0, shown
    assert "Password: " in shown
    assert "Password (again): " in shown
    assert PASSWORD not in shown  # nothing typed is echoed
    Browser(service, extra_environ=dict(CLIENT)).login("typed@example.com", PASSWORD, status=200)


def test_two_different_passwords_typed_are_refused(ini, engine):
    status, shown = backrest_on_terminal(
        "create-user", ini, "typo@example.com", answers=[PASSWORD, PASSWORD + "s"]
    )
    assert status == 1
    assert "the two passwords differ" in shown
    assert user(engine, "typo@example.com") is None
