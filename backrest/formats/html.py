"""The browsable page: any answer as HTML for a browser, just another renderer.

The page shows the JSON, pretty-printed, with every absolute ``http(s)`` URL
in it as a link (``next``, ``previous``, ``__meta__.url``, ``url`` fields...),
and forms:

- an item (an object with ``__meta__``): a ``PUT`` form with one input per
  field, named as :mod:`backrest.formats.forms` reads them (``address.city``,
  ``tags.0``; booleans as a hidden ``false`` before a ``true`` checkbox, so
  that the last value wins), and a ``DELETE`` button; only those that
  ``__meta__.permissions`` allows (``edit``, ``delete``) when it is given;
- a collection page (an object with ``count`` and ``results``): a ``POST`` form.

A view can say which forms to show, with which fields, by setting
``request.browsable_forms`` to a dict: ``{"POST": schema}``, ``{"PUT":
schema, "DELETE": None}``, ``{}`` for none. A colander schema gives the
inputs (its types choose text, number or checkbox); ``None`` takes them from
the representation (for a collection, from its first result). When the view
sets nothing, an item gets ``PUT`` and ``DELETE`` and a collection ``POST``,
from the representation.

HTML forms only GET and POST, so a small inline script sends them: it asks
``GET /-/login`` for the session's CSRF token, sends the fields urlencoded
with the right method (and ``If-Match`` with the page's ``ETag``, if it has
one), then reloads (or follows ``Location``), or shows the error. The page
allows no other script: its Content-Security-Policy names a fresh nonce for
its own ``<script>`` and ``<style>``.

Everything put into the page goes through MarkupSafe's ``escape``, the
escaping Jinja2 uses: only what this module builds as ``Markup`` is HTML.
The page is one fixed skeleton (``templates/browsable.html``), filled with
``string.Template``; a template engine would add a dependency for no gain.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from string import Template
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import colander
from markupsafe import Markup, escape

from backrest.formats.forms import form_leaves, form_text
from backrest.schema import Flag, Integer, Number

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

PAGE = Template(files("backrest").joinpath("templates/browsable.html").read_text("utf-8"))
# Where the page's script finds the session's CSRF token (API section 2).
CSRF_SOURCE = "/-/login"
META = "__meta__"
CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# A JSON string literal in json.dumps output.
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
CHECKBOX_TYPES = (Flag, colander.Boolean)
NUMBER_TYPES = (Integer, Number, colander.Number)


@dataclass(frozen=True)
class Input:
    """One form field: its dotted name, its kind (text, number, checkbox, marker) and value."""

    name: str
    kind: str
    value: Any


def _is_link(value: Any) -> bool:
    if not isinstance(value, str) or any(character.isspace() for character in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def linked_json(data: Any) -> Markup:
    """``data`` as pretty-printed JSON, escaped, with its absolute URLs as links."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    parts, end = [], 0
    for match in JSON_STRING.finditer(text):
        literal = match.group()
        parts.append(escape(text[end : match.start()]))
        value = json.loads(literal)
        parts.append(
            Markup('<a href="{}">{}</a>').format(value, literal) if _is_link(value) else escape(literal)
        )
        end = match.end()
    parts.append(escape(text[end:]))
    return Markup("").join(parts)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "checkbox"
    if isinstance(value, int | float):
        return "number"
    return "text"


def data_inputs(data: Mapping[str, Any], *, blank: bool = False) -> list[Input]:
    """The inputs for the fields of a representation, filled in unless ``blank``."""
    fields = {key: value for key, value in data.items() if key != META}
    inputs = []
    for name, value in form_leaves(fields):
        kind = "marker" if name.endswith(".") else _kind(value)
        inputs.append(Input(name, kind, None if blank else value))
    return inputs


def _schema_kind(node: colander.SchemaNode) -> str:
    if isinstance(node.typ, CHECKBOX_TYPES):
        return "checkbox"
    if isinstance(node.typ, NUMBER_TYPES):
        return "number"
    return "text"


def schema_inputs(schema: colander.SchemaNode, data: Any, prefix: str = "") -> Iterator[Input]:
    """The inputs ``schema`` asks for, filled in from ``data`` where it has the field."""
    for node in schema.children:
        name = f"{prefix}{node.name}"
        value = data.get(node.name) if isinstance(data, Mapping) else None
        if isinstance(node.typ, colander.Mapping):
            yield from schema_inputs(node, value, f"{name}.")
        elif isinstance(node.typ, colander.Sequence):
            yield Input(f"{name}.", "marker", "")
            element = node.children[0]
            for index, item in enumerate(value if isinstance(value, list) else []):
                if isinstance(element.typ, colander.Mapping):
                    yield from schema_inputs(element, item, f"{name}.{index}.")
                else:
                    yield Input(f"{name}.{index}", _schema_kind(element), item)
        else:
            yield Input(name, _schema_kind(node), value)


def _input(field: Input) -> Markup:
    if field.kind == "marker":
        # Sent always, so that a list whose inputs are all gone is still a list.
        return Markup('<input type="hidden" name="{}" value="">').format(field.name)
    if field.kind == "checkbox":
        checked = Markup(" checked") if field.value is True else Markup("")
        control = Markup(
            '<input type="hidden" name="{0}" value="false"><input type="checkbox" name="{0}" value="true"{1}>'
        ).format(field.name, checked)
    else:
        extra = Markup(' step="any"') if field.kind == "number" else Markup("")
        control = Markup('<input type="{}" name="{}" value="{}"{}>').format(
            field.kind, field.name, form_text(field.value), extra
        )
    return Markup("<label><span>{}</span> {}</label>").format(field.name, control)


def _form(method: str, action: str, inputs: list[Input], etag: str) -> Markup:
    fields = Markup("").join(_input(field) for field in inputs)
    return Markup(
        '<form method="post" action="{0}" data-method="{1}" data-if-match="{2}"><h2>{1}</h2>{3}'
        '<button type="submit">{1}</button><output></output></form>'
    ).format(action, method, etag, fields)


def _is_collection(data: Mapping[str, Any]) -> bool:
    return "count" in data and isinstance(data.get("results"), list)


def _default_forms(data: Mapping[str, Any]) -> dict[str, colander.SchemaNode | None]:
    meta = data.get(META)
    if isinstance(meta, Mapping):
        allowed = meta.get("permissions")
        # __meta__.permissions, when given, says what the caller may do.
        return {
            method: None
            for method, permission in (("PUT", "edit"), ("DELETE", "delete"))
            if not isinstance(allowed, list) or permission in allowed
        }
    if _is_collection(data):
        return {"POST": None}
    return {}


def _inputs(method: str, schema: colander.SchemaNode | None, data: Mapping[str, Any]) -> list[Input]:
    if method == "DELETE":
        return []
    collection = method == "POST" and _is_collection(data)
    if schema is not None:
        return list(schema_inputs(schema, None if collection else data))
    if collection:
        first = data["results"][0] if data["results"] else {}
        return data_inputs(first, blank=True) if isinstance(first, Mapping) else []
    return data_inputs(data)


def forms(data: Any, request: Request) -> Markup:
    """The forms for ``data``: as the view asked in ``request.browsable_forms``, or the defaults."""
    if not isinstance(data, Mapping):
        return Markup("")
    wanted = _default_forms(data) if request.browsable_forms is None else request.browsable_forms
    meta = data.get(META)
    url = meta.get("url") if isinstance(meta, Mapping) else None
    action = url if _is_link(url) else request.path_url
    # Writes send back the ETag of what the page shows: a change made since is a 412, not overwritten.
    etag = request.response.headers.get("ETag", "") if isinstance(meta, Mapping) else ""
    return Markup("").join(
        _form(method, action, _inputs(method, schema, data), etag) for method, schema in wanted.items()
    )


def _format_links(request: Request) -> Markup:
    query = [(name, value) for name, value in request.GET.items() if name != "format"]
    links = (
        Markup('<a href="{}">{}</a>').format(
            f"{request.path_url}?{urlencode([*query, ('format', name)])}", label
        )
        for name, label in (("json", "JSON"), ("xml", "XML"))
    )
    return Markup("").join(links)


def render_page(data: Any, request: Request) -> str:
    """The browsable page of ``data`` (JSON-like) for ``request``; sets the page's Content-Security-Policy."""
    nonce = secrets.token_urlsafe(16)
    request.response.headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
    page = PAGE.substitute(
        {
            name: escape(value)
            for name, value in {
                "nonce": nonce,
                "title": f"{request.method} {request.path}",
                "status": request.response.status,
                "formats": _format_links(request),
                "document": linked_json(data),
                "forms": forms(data, request),
                "csrf_source": request.application_url + CSRF_SOURCE,
            }.items()
        }
    )
    # Text from storage may hold lone surrogates, which UTF-8 cannot carry.
    return page.encode("utf-8", "backslashreplace").decode("utf-8")


def includeme(config: Configurator) -> None:
    # None: the defaults above; a view replaces it with a dict of its forms.
    config.add_request_method(lambda _request: None, "browsable_forms", reify=True)
