"""Which format a request gets, and the renderer every service names ``json``.

``?format=json``, ``?format=xml`` or ``?format=api`` (the browsable page)
wins over ``Accept``; otherwise WebOb weighs ``Accept`` (q-values, wildcards)
against what the formats offer, JSON first on a tie. No ``Accept``, or an
empty one, is JSON. When nothing matches, or ``format`` names no format, the
answer is a 406, before the view runs: a refused answer must not follow a
change. Errors are JSON whatever was asked (the contract's one error shape):
they never reach this renderer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from webob.acceptparse import create_accept_header

from backrest.errors import http_error
from backrest.renderers import json_renderer
from backrest.response_headers import add_to_list

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

RENDERER = "json"


@dataclass(frozen=True)
class Format:
    """One way to write an answer: ``?format=name``, or one of ``media_types`` in ``Accept``."""

    name: str
    media_types: tuple[str, ...]
    # Writes the JSON-like data (as the JSON renderer wrote it) for the
    # request; ``None`` keeps the JSON text itself.
    render: Callable[[Any, Request], str] | None = None

    @property
    def content_type(self) -> str:
        return self.media_types[0]


# The other formats' modules (ElementTree, the page's markup) load with the
# first answer in them: most processes only ever write JSON.
def _render_xml(data: Any, _request: Request) -> str:
    from backrest.formats.xml import render_xml  # noqa: PLC0415

    return render_xml(data)


def _render_page(data: Any, request: Request) -> str:
    from backrest.formats.html import render_page  # noqa: PLC0415

    return render_page(data, request)


FORMATS = (
    Format("json", ("application/json",)),
    Format("xml", ("application/xml", "text/xml"), _render_xml),
    Format("api", ("text/html",), _render_page),
)
BY_NAME = {format_.name: format_ for format_ in FORMATS}
BY_MEDIA_TYPE = {media_type: format_ for format_ in FORMATS for media_type in format_.media_types}
# Each format's own type first, in order, so that a tie (*/*) goes to JSON;
# aliases last, so that text/* is the page rather than text/xml.
OFFERS = [format_.content_type for format_ in FORMATS] + [
    media_type for format_ in FORMATS for media_type in format_.media_types[1:]
]


def negotiate(request: Request) -> Format:
    """The format ``request`` asks for; raises a 406 when there is none."""
    name = request.GET.get("format")
    if name is not None:
        if name not in BY_NAME:
            raise http_error(
                406, "querystring", "format", f"format must be one of {', '.join(BY_NAME)}, not {name!r}."
            )
        return BY_NAME[name]
    accept = request.headers.get("Accept", "").strip()
    if not accept:
        return FORMATS[0]
    format_ = _format_for(accept)
    if format_ is None:
        raise http_error(
            406, "header", "Accept", f"No representation matches Accept; this answers {', '.join(OFFERS)}."
        )
    return format_


@functools.lru_cache(maxsize=256)
def _format_for(accept: str) -> Format | None:
    """What an ``Accept`` header asks for; clients send the same few, so answers are kept."""
    offers = create_accept_header(accept).acceptable_offers(OFFERS)
    return BY_MEDIA_TYPE[offers[0][0]] if offers else None


class NegotiatingRenderer:
    """A Pyramid renderer factory: JSON through Pyramid's renderer, or another format from that JSON.

    Going through the JSON text gives every format the same data: models
    through ``__json__``, timestamps with ``Z``.
    """

    def __init__(self) -> None:
        self.json = json_renderer()

    def __call__(self, info: Any) -> Callable[[Any, dict[str, Any]], str | bytes]:
        render_json = self.json(info)

        def render(value: Any, system: dict[str, Any]) -> str | bytes:
            request = system.get("request")
            if request is None:
                return render_json(value, system)
            format_ = request.response_format
            response = request.response
            add_to_list(response, "Vary", "Accept")
            text = render_json(value, system)
            if format_.render is None:
                return text
            response.content_type = format_.content_type
            response.charset = "utf-8"
            return format_.render(json.loads(text), request)

        return render


def negotiated_view(view: Callable[..., Any], info: Any) -> Callable[..., Any]:
    """Views rendered by ``json`` negotiate before they run."""
    renderer = info.options.get("renderer")
    if getattr(renderer, "name", None) != RENDERER:
        return view

    def wrapper(context: Any, request: Request) -> Any:
        request.response_format  # noqa: B018 - negotiates, and may answer 406, before the view acts
        return view(context, request)

    return wrapper


def includeme(config: Configurator) -> None:
    config.add_renderer(RENDERER, NegotiatingRenderer())
    config.add_request_method(negotiate, "response_format", reify=True)
    config.add_view_deriver(negotiated_view)
