"""The docs: their examples are collected as tests, they build, they cover every setting.

Kotti's and WebTest's doc tests silently stopped running when their runners
changed. Here a second pytest collects ``docs/`` and reports, through the
hook below, which pages it found and how many examples each holds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from backrest.settings import SETTINGS, Setting

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REPORT = "BACKREST_DOCS_COLLECTED"

# At least this many examples per page; pages not listed may have none.
MINIMUM_EXAMPLES = {
    "api/accounts.rst": 80,
    "api/sessions.rst": 35,
    "api/keys.rst": 25,
    "api/teams.rst": 20,
    "api/applications.rst": 25,
    "api/oauth.rst": 80,
    "api/authorizations.rst": 55,
    "api/errors.rst": 25,
    "api/throttling.rst": 25,
    "api/discovery.rst": 10,
    "api/content.rst": 60,
    "api/querying.rst": 65,
    "api/conditional.rst": 45,
    "api/options.rst": 25,
    "api/audit.rst": 45,
    "api/formats.rst": 45,
    "api/openapi.rst": 20,
    "api/methods.rst": 15,
    "configuration.rst": 10,
    "deployment.rst": 15,
    "framework.rst": 10,
    "client.rst": 60,
}


def pytest_collection_finish(session: Any) -> None:
    """Run as a plugin of the pytest started below: write down what it collected."""
    collected = {item.path.relative_to(DOCS).as_posix(): len(item.examples) for item in session.items}
    Path(os.environ[REPORT]).write_text(json.dumps(collected))


def run(*command: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env={**env, **environ},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_page_is_collected_with_its_examples(tmp_path):
    report = tmp_path / "collected.json"
    result = run("pytest", "--collect-only", "-q", "-p", "tests.test_docs", "docs", **{REPORT: str(report)})
    assert result.returncode == 0, result.stdout + result.stderr
    collected = json.loads(report.read_text())
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.rst")}
    assert set(collected) == pages
    too_few = {
        page: collected[page] for page, minimum in MINIMUM_EXAMPLES.items() if collected[page] < minimum
    }
    assert too_few == {}


def test_docs_build_without_warnings(tmp_path):
    result = run("sphinx", "-W", "--keep-going", "-q", "-b", "html", "docs", str(tmp_path / "html"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "html" / "api" / "accounts.html").is_file()


DOCUMENTED_SETTING = re.compile(r"``(backrest|sqlalchemy)\.[a-z0-9_.]+`` ")


def documented(setting: Setting) -> str:
    """How ``docs/configuration.rst`` names a setting and its default."""
    name = f"``{setting.name}``"
    if setting.default is None:
        return f"{name} *(required)*"
    if isinstance(setting.default, bool):
        return f"{name} = ``{str(setting.default).lower()}``"
    if setting.default in ("", []):
        return f"{name} = *(empty)*"
    return f"{name} = ``{setting.default}``"


def test_every_setting_is_documented_with_its_default():
    lines = (DOCS / "configuration.rst").read_text().splitlines()
    listed = {line for line in lines if DOCUMENTED_SETTING.match(line)}
    assert listed == {documented(setting) for setting in SETTINGS}
