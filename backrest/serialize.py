"""Values made JSON-ready the way the API writes them, for what is stored as JSON."""

from __future__ import annotations

from datetime import datetime

from backrest.renderers import timestamp


def jsonable(value: object) -> str:
    """``json.dumps(..., default=jsonable)``: timestamps as the API shows them, else text."""
    return timestamp(value) if isinstance(value, datetime) else str(value)
