"""A password given to a command: from ``BACKREST_PASSWORD``, or typed twice on a terminal.

Never from the command line, where the shell's history and every process
listing would show it. Typed twice because nobody sees what they type.
"""

from __future__ import annotations

import getpass
import os
import sys

from backrest.scripts import CommandError

PASSWORD_VARIABLE = "BACKREST_PASSWORD"


def read_new_password() -> str:
    """The password from the environment, else asked for twice; refused when nobody can type it."""
    if PASSWORD_VARIABLE in os.environ:
        return os.environ[PASSWORD_VARIABLE]
    if not sys.stdin.isatty():
        msg = f"no password: set {PASSWORD_VARIABLE}, or run the command on a terminal to type it"
        raise CommandError(msg)
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != password:
        msg = "the two passwords differ"
        raise CommandError(msg)
    return password
