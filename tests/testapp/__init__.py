"""Views that exist only in tests, included with ``pyramid.includes = tests.testapp``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.accounts.models import User
from backrest.security.permissions import Permission

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request


class BrokenError(RuntimeError):
    pass


def fail_after_write(request: Request) -> None:
    """Write a row, then fail the way a bug would: the row must not survive."""
    request.dbsession.add(User(email="ghost@example.com", password_hash="x"))
    request.dbsession.flush()
    msg = "SELECT secret FROM broken WHERE password = 'hunter2'"
    raise BrokenError(msg)


def includeme(config: Configurator) -> None:
    config.add_route("testapp.fail", "/-/testing/fail")
    config.add_view(fail_after_write, route_name="testapp.fail", permission=Permission.PUBLIC)
