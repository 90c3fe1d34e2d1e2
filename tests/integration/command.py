"""Running ``backrest`` as an operator does: a process of its own, on a terminal or not.

Children take their settings from the ini file and from what a test passes
them alone, never from this process's ``BACKREST_*`` variables.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

BACKREST = Path(sys.executable).parent / "backrest"
TIMEOUT = 60.0
"""Seconds a command may take: loading the application takes a few."""
PROMPT_END = b": "
"""How ``getpass``'s prompts end."""


def environment(**variables: str) -> dict[str, str]:
    """This process's environment without ``BACKREST_*``, and ``variables``."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BACKREST_")}
    return {**inherited, **variables}


def write_ini(path: Path, settings: Mapping[str, str]) -> Path:
    """An ini file whose ``[app:main]`` is the application with ``settings``."""
    lines = ["[app:main]", "use = egg:backrest", *(f"{name} = {value}" for name, value in settings.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def backrest(*arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``backrest arguments...`` with no terminal: its standard input is empty."""
    return subprocess.run(
        [str(BACKREST), *arguments],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=environment(**variables),
        timeout=TIMEOUT,
        check=False,
    )


def backrest_on_terminal(*arguments: str, answers: list[str]) -> tuple[int, str]:
    """``backrest arguments...`` on a terminal of its own, typing each answer after a prompt.

    The child starts a session of its own, so it has no controlling terminal
    (no ``/dev/tty`` leading to the one pytest may run on), and ``getpass``
    reads from its standard input, the pseudo-terminal. Answers the exit
    status and everything the terminal showed.
    """
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(
            [str(BACKREST), *arguments],
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            env=environment(),
            start_new_session=True,
        )
        os.close(terminal)
        shown = b""
        for prompts, answer in enumerate(answers, start=1):
            # getpass drops what was typed before its prompt: wait for the prompt.
            shown = _read(controller, shown, prompts)
            os.write(controller, answer.encode() + b"\n")
        status = process.wait(timeout=TIMEOUT)
        shown = _read(controller, shown, None)
    finally:
        os.close(controller)
    return status, shown.decode().replace("\r\n", "\n")


def _read(controller: int, shown: bytes, prompts: int | None) -> bytes:
    """``shown`` and what the terminal shows next: until ``prompts`` prompts in all, or its end."""
    deadline = time.monotonic() + TIMEOUT
    while prompts is None or shown.count(PROMPT_END) < prompts:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            msg = f"the terminal showed no prompt in {TIMEOUT} s: {shown!r}"
            raise TimeoutError(msg)
        if not select.select([controller], [], [], remaining)[0]:
            continue
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    return shown
