"""Which rate a request is counted against: by kind of caller, and by content type.

``backrest.throttle.anon`` and ``backrest.throttle.user`` hold for every
request; ``backrest.throttle.<collection>.anon`` and ``.user`` replace them
for one content type's requests, which are then counted apart (an empty value
lifts the limit there). Those names depend on the content types declared, so
they are read here, once every type is, rather than listed in
:mod:`backrest.settings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backrest.settings import as_optional_rate, parse_setting, setting_value

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from backrest.rate import Rate

KINDS = ("anon", "user")
"""The kinds of caller, each with its ``backrest.throttle.<kind>`` rate."""
PER_COLLECTION = re.compile(r"backrest\.throttle\.(?P<collection>[^.]+)\.(?P<kind>anon|user)")


@dataclass(frozen=True)
class Scope:
    """A counter's name and its rate: ``user``, or ``documents.user`` where documents have their own."""

    name: str
    rate: Rate


class RequestRates:
    """The scope of each kind of caller, for each collection."""

    def __init__(self, settings: Mapping[str, Any], collections: Collection[str]) -> None:
        _refuse_unknown_collections(settings, collections)
        self.scopes: dict[tuple[str | None, str], Scope | None] = {}
        for kind in KINDS:
            rate = settings[f"backrest.throttle.{kind}"]
            self.scopes[None, kind] = Scope(kind, rate) if rate else None
            for collection in collections:
                name = f"{collection}.{kind}"
                setting = f"backrest.throttle.{name}"
                value = setting_value(settings, setting)
                if value is not None:
                    rate = parse_setting(setting, as_optional_rate, value)
                    self.scopes[collection, kind] = Scope(name, rate) if rate else None

    def __bool__(self) -> bool:
        """Whether any request is limited at all."""
        return any(self.scopes.values())

    def scope(self, kind: str, collection: str | None) -> Scope | None:
        """The scope a request of ``kind`` to ``collection`` counts in; ``None`` if it is not limited."""
        if (collection, kind) in self.scopes:
            return self.scopes[collection, kind]
        return self.scopes[None, kind]


def _refuse_unknown_collections(settings: Mapping[str, Any], collections: Collection[str]) -> None:
    """A misspelt collection would leave it unprotected without a word: stop the start instead."""
    for name in settings:
        match = PER_COLLECTION.fullmatch(name)
        if match and match["collection"] not in collections:
            known = ", ".join(sorted(collections)) or "none"
            msg = f"setting {name}: there is no content type {match['collection']!r} (there are: {known})"
            raise ValueError(msg)
