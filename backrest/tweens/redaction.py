"""Tokens taken out of the paths that go to the log, judged by the path alone.

A token in a path (a reset link's, an address confirmation's) is a password
for as long as it lives. A request refused before routing (a 429 of the
throttle, a 404) has no matchdict to say where the token is, so the paths of
the services that take a ``{token}`` become patterns once, at start-up, and
every logged path is matched against them: everything from the token on is
replaced. A service at a fixed path beside them (``/-/email/cancel``,
``/-/confirm/resend``) keeps its path.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

REDACTED = "[redacted]"
SECRET = "{token}"
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _prefix(path: str) -> str:
    """A pattern for what comes before ``{token}`` in ``path``: ``/-/reset/{token}`` gives ``/+-/+reset/+``.

    Repeated slashes and letter case are tolerated: the router refuses such a
    path, but the token in it is as real.
    """
    before = path[: path.index(SECRET)]
    segments = [
        "[^/]+" if PLACEHOLDER.fullmatch(segment) else re.escape(segment) for segment in before.split("/")
    ]
    return "/+".join(segments)


class PathRedactor:
    """Redacts the token of any path that one of ``service_paths`` with a ``{token}`` would match."""

    def __init__(self, service_paths: Iterable[str]) -> None:
        paths = list(service_paths)
        self.fixed = frozenset(path.rstrip("/") for path in paths if not PLACEHOLDER.search(path))
        prefixes = [_prefix(path) for path in paths if SECRET in path]
        # The token is the first segment after its prefix: at least one character that is not a slash.
        self.pattern = re.compile(f"(?:{'|'.join(prefixes)})(?=[^/])", re.IGNORECASE) if prefixes else None

    def __call__(self, path: str) -> str:
        if self.pattern is None or path.rstrip("/") in self.fixed:
            return path
        match = self.pattern.match(path)
        return path if match is None else path[: match.end()] + REDACTED
