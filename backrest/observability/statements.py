"""The SQL statements each request runs, counted by a listener of the engine.

The listener runs in the thread that executes: a context variable tells it
which request's tally to add to. Statements outside a request (the mail
thread's) are in none.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine


@dataclass
class Tally:
    statements: int = 0


current_tally: contextvars.ContextVar[Tally | None] = contextvars.ContextVar("statements", default=None)


@contextlib.contextmanager
def counting_statements() -> Iterator[Tally]:
    """The tally of the statements run in the block, in this thread."""
    tally = Tally()
    token = current_tally.set(tally)
    try:
        yield tally
    finally:
        current_tally.reset(token)


def _count(*_arguments: Any) -> None:
    tally = current_tally.get()
    if tally is not None:
        tally.statements += 1


def count_statements_of(engine: Engine) -> None:
    """Have every statement ``engine`` runs counted in the tally of the block it runs in."""
    event.listen(engine, "before_cursor_execute", _count)
