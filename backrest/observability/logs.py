"""JSON log lines, with the request id, for an ini file's logging sections.

``pserve`` sets logging up with ``logging.config.fileConfig``, which knows
no filters: this formatter applies :class:`~backrest.tweens.requestid.RequestIdFilter`
itself. Needs the ``json`` extra (python-json-logger).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from backrest.tweens.requestid import with_request_id

if TYPE_CHECKING:
    import logging


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter, with ``request_id`` in every line.

    Name it in a ``[formatter_*]`` section (``class = ...``); its ``format``
    names the fields of each line.
    """

    def format(self, record: logging.LogRecord) -> str:
        with_request_id.filter(record)
        return super().format(record)
