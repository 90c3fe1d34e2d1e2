"""Typed methods that exist only in tests: one takes every kind of argument and says what it got."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pyramid.authorization import Allow

from backrest.errors import http_error
from backrest.methods import method
from backrest.security.permissions import Permission, Principal
from tests.testapp.models import Tally

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass
class Address:
    city: str
    zip_code: str = ""


@dataclass
class Nothing:
    """A dataclass without fields: only the ``name.`` marker can send it."""


@dataclass
class Echo:
    flag: bool
    count: int
    ratio: float
    price: Decimal
    name: str
    data: bytes
    colour: Colour
    when: datetime
    tags: list[str]
    scores: dict[str, int]
    address: Address | None
    addresses: list[Address]
    nothing: Nothing | None
    tally: Tally | None


@method("testing", permission=Permission.PUBLIC)
def echo(
    *,
    flag: bool,
    count: int,
    ratio: float,
    price: Decimal,
    name: str,
    data: bytes,
    colour: Colour,
    when: datetime,
    tags: list[str] | None = None,
    scores: dict[str, int] | None = None,
    address: Address | None = None,
    addresses: list[Address] | None = None,
    nothing: Nothing | None = None,
    tally: Tally | None = None,
) -> Echo:
    """Answer every argument as it was decoded."""
    return Echo(
        flag,
        count,
        ratio,
        price,
        name,
        data,
        colour,
        when,
        tags or [],
        scores or {},
        address,
        addresses or [],
        nothing,
        tally,
    )


@method("testing", permission=Permission.EDIT)
def count_up(request: Request, tallies: list[Tally], by: int = 1) -> list[Tally]:
    """Add to several tallies: a write, audited."""
    for tally in tallies:
        tally.count += by
    request.dbsession.flush()
    return tallies


@method("testing", permission=Permission.EDIT, acl=[(Allow, Principal.ADMIN, Permission.EDIT)])
def admins_only() -> None:
    """Nobody but an admin may call it."""


@method("testing", permission=Permission.PUBLIC)
def refuse(reason: str) -> None:
    """Raise an error of the contract's shape, as a method does to refuse."""
    raise http_error(409, "body", "reason", reason)


def includeme(config: Configurator) -> None:
    config.include("backrest.methods")
    config.scan(__name__)
