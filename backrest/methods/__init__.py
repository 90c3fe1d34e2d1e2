"""Typed methods: annotated functions served at ``POST /-/api/{group}/{name}`` (API section 15).

- :mod:`~backrest.methods.declare`: the ``@method`` decorator and ``config.add_method``;
- :mod:`~backrest.methods.shapes`: what the annotations mean, read at registration;
- :mod:`~backrest.methods.arguments`: request data to the function's arguments, by its annotations;
- :mod:`~backrest.methods.uploads`: ``FileUpload``, a file sent to a method;
- :mod:`~backrest.methods.multipart`: the multipart body of a method that takes files, streamed;
- :mod:`~backrest.methods.schemas`: the annotations as OpenAPI schemas, and results as JSON;
- :mod:`~backrest.methods.wire`: Python values as a client sends them;
- :mod:`~backrest.methods.loading`: objects named by id, with the caller's rights;
- :mod:`~backrest.methods.services`: the service and view of each method.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyramid.config import Configurator

__all__ = ["FileUpload", "may", "method"]

LAZY = {
    "method": "backrest.methods.declare",
    "may": "backrest.methods.loading",
    "FileUpload": "backrest.methods.uploads",
}
"""Imported when asked for: the client imports :mod:`backrest.methods.wire` and nothing of the server."""


def __getattr__(name: str) -> Any:
    if name in LAZY:
        return getattr(import_module(LAZY[name]), name)
    raise AttributeError(name)


def includeme(config: Configurator) -> None:
    from backrest.methods.declare import add_method  # noqa: PLC0415

    config.add_directive("add_method", add_method)
