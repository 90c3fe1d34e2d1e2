"""The writer's position: every request that may have written is answered with the primary's, once committed.

The tween sits over pyramid_tm: when the request comes back to it, its
transaction has committed, and the primary's write position
(``pg_current_wal_lsn()``) is at or past its commit. An answer of 400 or
more wrote nothing the caller will look for and gets none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.replicas import positions
from backrest.replicas.replica import written
from backrest.transactions import may_write

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

FAILED = 400
"""From this status on, an answer carries no position."""


def positions_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    primary = registry["db_engine"]

    def positions_tween(request: Request) -> Response:
        response = handler(request)
        if may_write(request) and response.status_code < FAILED:
            position = written(primary)
            if position is not None:
                positions.answer(request, response, position)
        return response

    return positions_tween
