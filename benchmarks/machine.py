"""What a benchmark ran on: the machine, the tools' versions, the commit."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_line(*command: str) -> str:
    """The first line a command prints (a version), or ``?`` when it cannot run."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    except OSError:
        return "?"
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else "?"


def cpu() -> str:
    """How many CPUs, of which model."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    return f"{os.cpu_count()} x {model}"


def commit() -> str:
    """The checked-out commit, and whether the tree has changes beyond it."""
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    return first_line("git", "rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else "")
