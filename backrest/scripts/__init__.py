"""The ``backrest`` command (``cli.py``) and the modules its commands share."""


class CommandError(Exception):
    """A command refuses to act: its message tells the operator why, and the command exits with 1."""


def settings_error(error: ValueError) -> CommandError:
    """The refusal of settings that do not hold: the setting and what is wrong, without a traceback."""
    return CommandError(f"the settings: {error}")
