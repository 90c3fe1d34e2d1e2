"""Third-party sites for the OAuth tests: small HTTP servers on 127.0.0.1, each in a thread.

A :class:`Site` answers every ``GET`` with one HTML page and records the
path and query of each request: as a confidential client's callback it is
where the browser lands with ``code`` and ``state``; serving
:func:`spa_page` it is a single-page application on an origin of its own.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterator

CALLBACK_PAGE = "<!doctype html><title>Callback</title><p>You may close this window.</p>"


@dataclass
class Visit:
    path: str
    query: dict[str, str]


@dataclass
class Site:
    """An HTTP server on 127.0.0.1 whose every page is ``page``; the visits wait in ``visits``."""

    port: int
    page: str = CALLBACK_PAGE
    visits: queue.Queue[Visit] = field(default_factory=queue.Queue)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def next_visit(self, timeout: float = 10.0) -> Visit:
        """The next request the site received, waiting at most ``timeout`` seconds."""
        try:
            return self.visits.get(timeout=timeout)
        except queue.Empty:
            msg = f"{self.origin} received no request within {timeout} seconds"
            raise AssertionError(msg) from None


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/favicon.ico":
                self.send_error(404)
                return
            query = {
                name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()
            }
            site.visits.put(Visit(parts.path, query))
            body = site.page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            """Quiet: the test reads the visits, not a log."""

    return Handler


@contextlib.contextmanager
def local_site(page: str = CALLBACK_PAGE) -> Iterator[Site]:
    """A :class:`Site` listening on a port the system chose, for the duration of the block."""
    site = Site(port=0, page=page)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name=f"site-{site.port}", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


SPA_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Notes</title></head>
<body>
<h1>Notes</h1>
<button id="sign-in" type="button">Sign in with backrest</button>
<p>Status: <span id="status">signed out</span></p>
<p>Email: <span id="email"></span></p>
<p>Scope: <span id="scope"></span></p>
<script>
"use strict";
const CONFIG = __CONFIG__;
const REDIRECT_URI = location.origin + location.pathname;
const show = (id, text) => { document.getElementById(id).textContent = text; };

function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
}

const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function signIn() {
  const verifier = randomText();
  const state = randomText();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: CONFIG.client_id,
    redirect_uri: REDIRECT_URI,
    scope: CONFIG.scope,
    state,
    code_challenge: base64url(digest),
    code_challenge_method: "S256",
  });
  location.assign(`${CONFIG.authorize}?${query}`);
}

async function call(what, url, options) {
  const answer = await fetch(url, options);
  const body = await answer.json();
  if (!answer.ok) throw new Error(`${what}: ${answer.status} ${JSON.stringify(body)}`);
  return body;
}

async function finish(query) {
  const saved = JSON.parse(sessionStorage.getItem("pkce") || "null");
  sessionStorage.removeItem("pkce");
  history.replaceState(null, "", REDIRECT_URI);
  if (query.has("error")) throw new Error(`authorization: ${query.get("error")}`);
  if (saved === null || query.get("state") !== saved.state) throw new Error("the state does not match");
  show("status", "exchanging the code");
  const token = await call("token", CONFIG.token, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: query.get("code"),
      redirect_uri: REDIRECT_URI,
      client_id: CONFIG.client_id,
      code_verifier: saved.verifier,
    }),
  });
  const profile = await call("profile", CONFIG.profile, {
    headers: { Authorization: `Bearer ${token.access_token}`, Accept: "application/json" },
  });
  show("scope", token.scope);
  show("email", profile.email);
  show("status", "signed in");
}

document.getElementById("sign-in").addEventListener("click", () => {
  signIn().catch((error) => show("status", `error: ${error.message}`));
});
const query = new URLSearchParams(location.search);
if (query.has("code") || query.has("error")) {
  finish(query).catch((error) => show("status", `error: ${error.message}`));
}
</script>
</body>
</html>
"""


def spa_page(*, backrest: str, client_id: str, scope: str) -> str:
    """The single-page application, a public client of the backrest at ``backrest``."""
    config = {
        "client_id": client_id,
        "scope": scope,
        "authorize": f"{backrest}/oauth2/authorize",
        "token": f"{backrest}/oauth2/token",
        "profile": f"{backrest}/-/userprofile",
    }
    # "</" cannot end the script early: json.dumps leaves "/" as it is, so escape "<".
    return SPA_PAGE.replace("__CONFIG__", json.dumps(config).replace("<", "\\u003c"))
