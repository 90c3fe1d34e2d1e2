"""A WebTest client that behaves like a single-page app's browser code.

It keeps cookies, and once it has logged in it sends the session's CSRF
token with every unsafe request, as a frontend does; an answer that names a
new token (a password change starts a new session) replaces it.
"""

from __future__ import annotations

from typing import Any

import webtest

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Browser(webtest.TestApp):
    csrf_token: str = ""

    def do_request(self, req: Any, status: Any = None, expect_errors: Any = None) -> Any:
        if self.csrf_token and req.method not in SAFE_METHODS and "X-CSRF-Token" not in req.headers:
            req.headers["X-CSRF-Token"] = self.csrf_token
        response = super().do_request(req, status=status, expect_errors=expect_errors)
        if self.csrf_token and req.method not in SAFE_METHODS and response.content_type == "application/json":
            answer = response.json
            if isinstance(answer, dict) and answer.get("csrf_token"):
                self.csrf_token = answer["csrf_token"]
        return response

    def login(self, email: str, password: str, **kwargs: Any) -> webtest.TestResponse:
        response = self.put_json("/-/login", {"login": email, "password": password}, **kwargs)
        if response.status_int == 200:
            self.csrf_token = self.get("/-/login").json["csrf_token"]
        return response

    def logout(self) -> webtest.TestResponse:
        response = self.put_json("/-/logout", {})
        self.csrf_token = ""
        return response
