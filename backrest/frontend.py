"""The reference single-page app, served at ``/`` where ``backrest.frontend.enabled`` says so.

The app is static files (ES modules, CSS, one HTML page) in
``backrest.frontend.directory``. It routes in the browser, with the
history API: a path outside the API (``/-/``) that names no file of the app
is answered with its ``index.html``, so that a reload or a shared link of
``/documents/abc`` opens the same screen. Production serves the same
files from nginx (``deploy/nginx.conf``).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileResponse

from backrest.security.permissions import Permission

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.request import Request
    from pyramid.response import Response

INDEX = "index.html"
# What the app's files may be; anything else in the directory is not served.
CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".txt": "text/plain",
    ".woff2": "font/woff2",
}
# The app's own scripts and styles only: no inline script or style, no eval.
# Images may be the previews the app makes of files (blob: URLs).
CSP = (
    "default-src 'self'; img-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    if not settings["backrest.frontend.enabled"]:
        return
    directory = Path(settings["backrest.frontend.directory"]).resolve()
    if not (directory / INDEX).is_file():
        msg = f"backrest.frontend.directory {directory} has no {INDEX}"
        raise ValueError(msg)
    config.add_route("frontend", "/*subpath")
    config.add_view(
        app_file(directory),
        route_name="frontend",
        request_method="GET",
        permission=Permission.PUBLIC,
    )


def app_file(directory: Path) -> Callable[[Request], Response]:
    """The view answering a path of the app with its file, or with ``index.html``."""

    def view(request: Request) -> Response:
        subpath = request.matchdict["subpath"]
        if subpath[:1] == ("-",):
            # The API's paths are the API's, found or not.
            raise HTTPNotFound
        path = _app_path(directory, subpath)
        response = FileResponse(path, request, content_type=CONTENT_TYPES[path.suffix])
        # Unbundled modules change with each version: always asked again (304 when unchanged).
        response.cache_control = "no-cache"
        if path.suffix == ".html":
            response.headers["Content-Security-Policy"] = CSP
        return response

    return view


def _app_path(directory: Path, subpath: tuple[str, ...]) -> Path:
    if not subpath:
        return directory / INDEX
    candidate = directory.joinpath(*subpath).resolve()
    if candidate.is_relative_to(directory) and candidate.is_file() and candidate.suffix in CONTENT_TYPES:
        return candidate
    if mimetypes.guess_type(subpath[-1])[0] is not None:
        # A file the app asks for and does not have: not a screen's path.
        raise HTTPNotFound
    return directory / INDEX
