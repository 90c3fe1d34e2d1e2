"""The reference app's modules and their Node tests pass ESLint (``eslint.config.mjs`` beside this file)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.servers import missing

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ESLINT = HERE / "node_modules" / ".bin" / "eslint"


def test_the_app_passes_eslint():
    if not ESLINT.is_file():
        missing("ESLint", "npm ci --prefix tests/frontend")
    config = HERE / "eslint.config.mjs"
    run = subprocess.run(
        [str(ESLINT), "--config", str(config), "--max-warnings", "0", "frontend", "tests/frontend"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
