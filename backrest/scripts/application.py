"""The application of an ini file, loaded for a command that needs its registry or a request."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any

from pyramid.paster import bootstrap, setup_logging

from backrest.scripts import settings_error
from backrest.settings import environment_name

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextlib.contextmanager
def loaded(ini: str) -> Iterator[dict[str, Any]]:
    """``bootstrap(ini)``'s environment (``registry``, ``request``), with the ini's logging.

    The mail worker thread stays asleep: a command is not the service, and
    would exit before the thread had delivered anything.
    """
    setup_logging(ini)
    os.environ[environment_name("backrest.mail.worker")] = "false"
    try:
        environment = bootstrap(ini)
    except ValueError as error:  # the application refuses its settings
        raise settings_error(error) from error
    with environment as env:
        yield env
