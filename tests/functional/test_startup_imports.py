"""What a process holds only once a request needs it: a process that never serves it never pays its memory."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

ON_FIRST_USE = {
    "alembic": "migrations (production runs `backrest migrate`)",
    "argon2": "the first password hashed or checked",
    "defusedxml": "the first XML body",
    "email_validator": "the first address checked",
    "limits": "the first moving window (a login, a signup), or the start where Redis counts",
    "oauthlib": "the first OAuth request",
    "pyramid_mailer": "the first mail delivered",
    "smtplib": "the first mail sent over SMTP",
    "zxcvbn": "the first password judged",
}

SCRIPT = """
import json, sys
from webtest import TestApp
from backrest import main
from backrest.openapi.document import REGISTRY_KEY
app = main({}, **json.loads(sys.argv[1]))
TestApp(app).get("/-/heartbeat")
print(json.dumps({
    "modules": sorted({name.partition(".")[0] for name in sys.modules}),
    "openapi built": REGISTRY_KEY in app.registry,
}))
"""


@pytest.fixture
def started(app: Any, settings: dict[str, str]) -> dict[str, Any]:
    """What a new process holds once it has started on ``settings`` and answered one request."""
    settings = {**settings, "backrest.db.auto_migrate": "false"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(settings)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_a_started_process_has_not_imported_what_loads_on_first_use(started: dict[str, Any]) -> None:
    assert sorted(set(ON_FIRST_USE) & set(started["modules"])) == []


def test_a_started_process_has_not_built_the_openapi_document(started: dict[str, Any]) -> None:
    assert started["openapi built"] is False


def test_what_loads_on_first_use_is_installed() -> None:
    """The names above are import names of installed packages: the test above would pass on a typo."""
    found = subprocess.run(
        [sys.executable, "-c", f"import {', '.join(ON_FIRST_USE)}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr
