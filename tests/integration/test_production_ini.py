"""``production.ini`` does not start without its secrets, and starts with them.

The application is loaded from the file itself, in a process of its own, as
``pserve`` loads it; the environment gives it SQLite and a file root it may
write to, and the secrets, or not.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from backrest.settings import SECRETS, environment_name
from tests.integration.command import TIMEOUT, environment

PRODUCTION_INI = Path(__file__).resolve().parents[2] / "production.ini"
LOAD = "from pyramid.paster import get_app; import sys; get_app(sys.argv[1]); print('loaded')"


def made_secrets() -> dict[str, str]:
    """Each secret production always needs, made as docs/deployment.rst says."""
    return {
        environment_name(secret.name): secrets.token_urlsafe(48)
        for secret in SECRETS
        if not secret.needed_when
    }


def load_production_ini(tmp_path: Path, **secrets_given: str) -> subprocess.CompletedProcess[str]:
    variables = {
        "BACKREST_SQLALCHEMY_URL": f"sqlite:///{tmp_path / 'backrest.sqlite'}",
        "BACKREST_FILES_ROOT": str(tmp_path / "files"),
        "BACKREST_MAIL_WORKER": "false",
        **secrets_given,
    }
    return subprocess.run(
        [sys.executable, "-c", LOAD, str(PRODUCTION_INI)],
        capture_output=True,
        text=True,
        env=environment(**variables),
        timeout=TIMEOUT,
        check=False,
    )


def test_without_the_pepper_it_refuses_to_start_naming_the_setting(tmp_path):
    loaded = load_production_ini(tmp_path)
    assert loaded.returncode != 0
    assert (
        "ValueError: setting backrest.keys.pepper (or BACKREST_KEYS_PEPPER) is required "
        "when backrest.environment = production"
    ) in loaded.stderr


@pytest.mark.parametrize(
    ("pepper", "problem"),
    [("...", "may not be a placeholder"), ("x" * 31, "must have at least 32 characters (not 31)")],
)
def test_a_placeholder_or_short_pepper_is_refused(tmp_path, pepper, problem):
    loaded = load_production_ini(tmp_path, **{**made_secrets(), "BACKREST_KEYS_PEPPER": pepper})
    assert loaded.returncode != 0
    assert f"setting backrest.keys.pepper (or BACKREST_KEYS_PEPPER) {problem}" in loaded.stderr


def test_an_smtp_login_needs_its_password(tmp_path):
    loaded = load_production_ini(tmp_path, **made_secrets(), BACKREST_MAIL_SMTP_USERNAME="backrest")
    assert loaded.returncode != 0
    assert "setting backrest.mail.smtp.password (or BACKREST_MAIL_SMTP_PASSWORD) is required" in loaded.stderr


def test_with_its_secrets_it_starts(tmp_path):
    loaded = load_production_ini(tmp_path, **made_secrets())
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout == "loaded\n"
