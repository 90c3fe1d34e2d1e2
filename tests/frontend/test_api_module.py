"""The single-page app's API module (frontend/api.js), under Node.js's own test runner.

The module is plain ES: its tests (``*.test.mjs`` beside this file) give it
stand-ins for ``fetch`` and ``XMLHttpRequest``, and need no package.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.servers import missing

HERE = Path(__file__).resolve().parent


def test_the_api_module_passes_its_tests():
    node = shutil.which("node")
    if node is None:
        missing("Node.js", "apt-get install nodejs")
    tests = sorted(str(path) for path in HERE.glob("*.test.mjs"))
    assert tests
    run = subprocess.run([node, "--test", *tests], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
