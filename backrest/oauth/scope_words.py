"""What each scope lets an application do, in the words the consent page and the notice mail use."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

DESCRIPTIONS = {
    "read": "See your profile and everything you can see here: documents, files, teams.",
    "write": "Make, change, share and delete what you may, in your name.",
}
"""Neither lets an application change your password or address, or make keys: only you, logged in, can."""

KNOWN_SCOPES = frozenset(DESCRIPTIONS)
"""The scopes an application may ask for."""


def described(scopes: Iterable[str]) -> list[tuple[str, str]]:
    """``(scope, what it lets an application do)`` for each of ``scopes``, in a fixed order."""
    return [(scope, DESCRIPTIONS[scope]) for scope in sorted(set(scopes))]
