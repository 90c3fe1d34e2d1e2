"""The ``backrest`` command (``cli.py``) and the modules its commands share."""


class CommandError(Exception):
    """A command refuses to act: its message tells the operator why, and the command exits with 1."""
