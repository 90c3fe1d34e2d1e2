"""``/-/docs``: Swagger UI, served from the application itself, reading ``/-/openapi.json``.

Swagger UI's files come from the ``swagger-ui-bundle`` package, under
``/-/docs/static/``. Every URL in the page is relative, so that it works
under any prefix a proxy mounts the application at. The page's
Content-Security-Policy allows only those files and the one inline script,
by its hash.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING

from pyramid.response import Response
from swagger_ui_bundle import swagger_ui_path

if TYPE_CHECKING:
    from pyramid.request import Request

STATIC_NAME = "-/docs/static"
# The page is /-/docs: relative to it, the files are under docs/static/, the document is openapi.json.
STATIC_FROM_PAGE = "docs/static/"
OPENAPI_FROM_PAGE = "openapi.json"
STATIC_DIRECTORY = str(swagger_ui_path)
# The files' URLs carry the package's version: they may be kept for a year.
STATIC_MAX_AGE = 365 * 24 * 3600
STATIC_VERSION = package_version("swagger-ui-bundle")

# No online validator: the page must not call another host.
SCRIPT = """
window.onload = function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
};
"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        f"script-src 'self' 'sha256-{SCRIPT_HASH}'",
        "style-src 'self'",
        # Swagger UI's stylesheet draws its icons as data: URLs.
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>backrest API</title>
<link rel="stylesheet" href="{static}swagger-ui.css?v={version}">
<link rel="icon" type="image/png" href="{static}favicon-32x32.png?v={version}">
</head>
<body>
<div id="swagger-ui" data-url="{openapi}"></div>
<script src="{static}swagger-ui-bundle.js?v={version}"></script>
<script>{script}</script>
</body>
</html>
"""


def docs_page(request: Request) -> Response:
    """The page; its relative URLs hold for ``/-/docs`` and for ``/-/docs/``."""
    up = "../" if request.path_info.endswith("/") else ""
    html = PAGE.format(
        static=escape(up + STATIC_FROM_PAGE),
        openapi=escape(up + OPENAPI_FROM_PAGE),
        version=escape(STATIC_VERSION),
        script=SCRIPT,
    )
    response = Response(html, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
