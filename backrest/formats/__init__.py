"""Formats (API section 6) as small pluggable policies, one module each.

Parsers turn a request body into the dict a schema validates; renderers turn
what a view returns into a response body; negotiation picks the renderer.

- :mod:`~backrest.formats.forms`: dotted form field names to nested dicts and lists, and back;
- :mod:`~backrest.formats.xml`: XML bodies in, XML responses out;
- :mod:`~backrest.formats.html`: the browsable page, just another renderer;
- :mod:`~backrest.formats.negotiation`: which format a request gets, and the
  renderer every service names ``json``.

JSON itself is parsed in :mod:`backrest.validation` and rendered by Pyramid's
renderer as :mod:`backrest.renderers` sets it up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator

# How deeply any body may nest, whatever its format: deeper documents are a
# 400, before a parser or a schema recurses into them.
MAX_DEPTH = 32


def includeme(config: Configurator) -> None:
    config.include("backrest.formats.negotiation")
