"""The reference single-page app, served at ``/`` where ``backrest.frontend.enabled`` says so.

The app is static files (ES modules, CSS, one HTML page) in
``backrest.frontend.directory``. It routes in the browser, with the
history API: a path outside the API (``/-/``) that names no file of the app
is answered with its ``index.html``, so that a reload or a shared link of
``/documents/abc`` opens the same screen.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileResponse
from pyramid.static import static_view

from backrest.security.permissions import Permission
from backrest.throttle import leave_uncounted

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.config import Configurator
    from pyramid.request import Request
    from pyramid.response import Response

INDEX = "index.html"
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
    # Loading the app fetches each of its files: none is a request of the
    # API that the caller's rate is for. Its page, once per screen, is.
    for path in directory.rglob("*"):
        if path.is_file() and path.name != INDEX:
            leave_uncounted(config, "/" + path.relative_to(directory).as_posix())
    config.add_route("frontend", "/*subpath")
    config.add_view(
        app_file(directory), route_name="frontend", request_method="GET", permission=Permission.PUBLIC
    )


def app_file(directory: Path) -> Callable[[Request], Response]:
    """The view answering a path of the app with its file, or with ``index.html``."""
    # reload: Pyramid would otherwise keep what it found for every path asked
    # for, missing ones included: memory that any stranger could grow.
    files = static_view(str(directory), cache_max_age=None, use_subpath=True, reload=True)
    page = str(directory / INDEX)

    def view(request: Request) -> Response:
        if request.subpath[:1] == ("-",):
            # The API's paths are the API's, found or not.
            raise HTTPNotFound
        try:
            response = files(request.context, request)
        except HTTPNotFound:
            if request.subpath and PurePosixPath(request.subpath[-1]).suffix:
                raise  # A file the app asks for and does not have: not a screen's path.
            response = FileResponse(page, request, content_type="text/html")
        # Unbundled modules change with each version: always asked again (304 when unchanged).
        response.cache_control = "no-cache"
        if response.content_type == "text/html":
            response.headers["Content-Security-Policy"] = CSP
        return response

    return view
