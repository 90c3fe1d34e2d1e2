"""The browsable page: any answer as HTML for a browser, just another renderer.

The page shows the JSON, pretty-printed, with every absolute ``http(s)`` URL
in it as a link (``next``, ``previous``, ``__meta__.url``, ``url`` fields...),
the links of a list's pages, and the forms the caller may use there, built
from the same description as ``/-/openapi.json``
(:mod:`backrest.formats.page_forms`): typed inputs, selects for choices,
nested objects and lists by their dotted names, files, filters and ordering
for a list, a login form for an anonymous caller.

HTML forms only GET and POST, so the page's script (``templates/browsable.js``)
sends them: it asks ``GET /-/login`` for the session's CSRF token, sends the
fields urlencoded (multipart when there is a file) with the right method (and
``If-Match`` with the page's ``ETag``), then follows the answer, or shows each
error next to its field and in the form's live region. The page allows no
other script: its Content-Security-Policy names a fresh nonce for its own
``<script>`` and ``<style>``.

Everything put into the page goes through MarkupSafe's ``escape``, the
escaping Jinja2 uses: only what this module builds as ``Markup`` is HTML.
The page is one fixed skeleton (``templates/browsable.html``), filled with
``string.Template``; a template engine would add a dependency for no gain.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from importlib.resources import files
from string import Template
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from backrest.formats.form_markup import render_form

if TYPE_CHECKING:
    from pyramid.request import Request

TEMPLATES = files("backrest").joinpath("templates")
PAGE = Template(TEMPLATES.joinpath("browsable.html").read_text("utf-8"))
# The page's own script, a file of this package: markup, not text to escape.
SCRIPT = Markup(TEMPLATES.joinpath("browsable.js").read_text("utf-8"))  # noqa: S704
# Where the page's script finds the session's CSRF token (API section 2).
CSRF_SOURCE = "/-/login"
CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# A JSON string literal in json.dumps output.
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


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


def _format_links(request: Request) -> Markup:
    query = [(name, value) for name, value in request.GET.items() if name != "format"]
    links = (
        Markup('<a href="{}">{}</a>').format(
            f"{request.path_url}?{urlencode([*query, ('format', name)])}", label
        )
        for name, label in (("json", "JSON"), ("xml", "XML"))
    )
    return Markup("").join(links)


def _is_page(data: Any) -> bool:
    return isinstance(data, Mapping) and "count" in data and isinstance(data.get("results"), list)


def page_links(data: Any, request: Request) -> Markup:
    """Where a list's page stands, and the links to the pages before and after it."""
    if not _is_page(data):
        return Markup("")
    links = [
        Markup('<a href="{}" rel="{}">{}</a>').format(data[key], rel, label)
        for key, rel, label in (("previous", "prev", "Previous page"), ("next", "next", "Next page"))
        if _is_link(data.get(key))
    ]
    count = data["count"]
    where = Markup("<span>Page {} · {} object{} in all</span>").format(
        request.GET.get("page", "1"), count, "" if count == 1 else "s"
    )
    return Markup('<nav class="pages" aria-label="Pages">{}{}</nav>').format(where, Markup("").join(links))


def _forms(data: Any, request: Request) -> tuple[Markup, Markup]:
    """The account's forms (log in or out), and the forms about what the page shows."""
    # Imported here: what finds the forms (OPTIONS, OpenAPI) imports the formats.
    from backrest.formats.page_forms import PageForms  # noqa: PLC0415

    forms = PageForms(data, request)
    return tuple(
        Markup("").join(render_form(form) for form in found)
        for found in (forms.account_forms(), forms.resource_forms())
    )


def render_page(data: Any, request: Request) -> str:
    """The browsable page of ``data`` (JSON-like) for ``request``; sets the page's Content-Security-Policy."""
    nonce = secrets.token_urlsafe(16)
    account, forms = _forms(data, request)
    request.response.headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
    page = PAGE.substitute(
        {
            name: escape(value)
            for name, value in {
                "nonce": nonce,
                "title": f"{request.method} {request.path}",
                "status": request.response.status,
                "formats": _format_links(request),
                "pages": page_links(data, request),
                "document": linked_json(data),
                "account": account,
                "forms": forms,
                "script": SCRIPT,
                "csrf_source": request.application_url + CSRF_SOURCE,
            }.items()
        }
    )
    # Text from storage may hold lone surrogates, which UTF-8 cannot carry.
    return page.encode("utf-8", "backslashreplace").decode("utf-8")
