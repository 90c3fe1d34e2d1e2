"""``/oauth2/authorize``: the user logs in, and allows or denies an application (RFC 6749 section 4.1).

oauthlib checks the request (client, redirect URI, scopes, PKCE) on every
step; what is decided here is who the user is and what they agree to:

- an anonymous visitor logs in on the page itself (the application's
  frontend may be on another site, so it cannot be backrest's frontend's
  login), through a form protected by a double-submit cookie;
- a user who already granted the same scopes or more gets a code at once;
- otherwise the page names the application and each scope in words, with
  allow and deny. Allowing needs a confirmed address and a recent password
  check (asked for on the page when the session's is older than
  ``backrest.reauth.max_age``); the form carries the session's CSRF token.

Deny sends the user back with ``error=access_denied`` and the ``state``. A
request whose client or redirect URI cannot be trusted is never sent back:
the page says what is wrong.
"""

from __future__ import annotations

import secrets
from hmac import compare_digest
from typing import TYPE_CHECKING, Any

from pyramid.httpexceptions import HTTPException, HTTPFound, HTTPSeeOther

from backrest.accounts.services.login import LoginService
from backrest.oauth import grants, pages
from backrest.oauth.answers import error_answer
from backrest.oauth.endpoints import server
from backrest.security.permissions import Permission
from backrest.security.reauth import password_check_is_recent
from backrest.service import Service

if TYPE_CHECKING:
    from oauthlib.oauth2 import OAuth2Error
    from pyramid.request import Request
    from pyramid.response import Response

    from backrest.oauth.models import Application, Grant

authorize = Service(
    "oauth.oauth2_authorize",
    "/oauth2/authorize",
    "The consent page: a user allows an application, or denies it.",
)
FORM_COOKIE = "backrest_oauth_form"
"""The double-submit cookie of the login form, which no session protects yet."""
PAGE_OPTIONS = {
    "permission": Permission.PUBLIC,
    "require_csrf": False,
    "no_store": True,
    "response_media_type": "text/html",
}


class Refused(Exception):  # noqa: N818 - an answer, not a failure
    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


class Authorization:
    """One visit to the page: the checked request, and what the user may decide."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.server = server(request)
        self.scopes, self.credentials = self._checked()
        self.application: Application = self.credentials.pop("request").client

    def _checked(self) -> tuple[list[str], dict[str, Any]]:
        # Imported here, as the server is (see endpoints.server).
        from oauthlib.oauth2 import FatalClientError, OAuth2Error  # noqa: PLC0415

        request = self.request
        try:
            return self.server.validate_authorization_request(request.url, "GET", "", dict(request.headers))
        except FatalClientError as error:
            raise Refused(self._problem(error)) from error
        except OAuth2Error as error:
            raise Refused(HTTPFound(location=error.in_uri(error.redirect_uri))) from error

    def _problem(self, error: OAuth2Error) -> Response:
        if self.request.accept.best_match(["text/html", "application/json"]) == "application/json":
            return error_answer(error)
        message = f"This application's request cannot be answered: {error.description}"
        return pages.problem_page(self.request, "Cannot authorize", message, error.status_code)

    # The steps.

    def show(self) -> Response:
        identity = self.request.identity
        if identity is None or identity.session is None:
            return self.login_form()
        user = identity.user
        if not user.email_verified:
            return pages.problem_page(
                self.request,
                "Confirm your address first",
                f"Confirm {user.email} with the link we mailed you, then come back to allow "
                f"{self.application.name}.",
                403,
            )
        grant = grants.live_grant(self.request.dbsession, user.id, self.application.id)
        if grants.covers(grant, self.scopes):
            return self.issue_code(grant)
        return self.consent_form()

    def decide(self) -> Response:
        form = self.request.POST
        action = form.get("action")
        if action == "login":
            return self.log_in(form.get("email", ""), form.get("password", ""), form.get("form_token", ""))
        refusal = self._refuse_session(form.get("csrf_token", ""))
        if refusal is not None:
            return refusal
        if action == "deny":
            from oauthlib.oauth2 import AccessDeniedError  # noqa: PLC0415

            denied = AccessDeniedError(
                state=self.credentials.get("state"), description="The user denied access."
            )
            return HTTPFound(location=denied.in_uri(self.credentials["redirect_uri"]))
        if action == "allow":
            return self.allow(form.get("password", ""))
        return self.show()

    def _refuse_session(self, csrf_token: str) -> Response | None:
        """The answer to a decision without a session or its CSRF token; ``None`` if it may be made."""
        identity = self.request.identity
        if identity is None or identity.session is None:
            return self.login_form()
        if not compare_digest(csrf_token.encode(), identity.csrf_token.encode()):
            message = "This page expired: go back to the application and try again."
            return pages.problem_page(self.request, "Expired page", message, 403)
        return None

    def allow(self, password: str) -> Response:
        user = self.request.identity.user
        if not user.email_verified:
            return self.show()
        if self._needs_password():
            try:
                LoginService(self.request).reauthenticate(password)
            except HTTPException as refused:
                return self.consent_form(_description(refused))
        return self.issue_code(grants.agree(self.request, user, self.application, self.scopes))

    # The answers.

    def _needs_password(self) -> bool:
        return not password_check_is_recent(self.request)

    def login_form(self, error: str | None = None) -> Response:
        token = self.request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
        response = pages.login_page(self.request, self.application, token, error)
        settings = self.request.registry.settings
        response.set_cookie(
            FORM_COOKIE,
            token,
            path=self.request.script_name + authorize.path,
            secure=settings["backrest.session.secure"],
            httponly=True,
            samesite="Strict",
        )
        return response

    def log_in(self, email: str, password: str, form_token: str) -> Response:
        cookie = self.request.cookies.get(FORM_COOKIE, "")
        if not cookie or not compare_digest(cookie.encode(), form_token.encode()):
            return self.login_form("This form expired: log in again.")
        try:
            failure = LoginService(self.request).login(email, password)
        except HTTPException as refused:
            return self.login_form(_description(refused))
        if failure is not None:
            return self.login_form(_description(failure))
        return HTTPSeeOther(location=self.request.url)

    def consent_form(self, error: str | None = None) -> Response:
        identity = self.request.identity
        return pages.consent_page(
            self.request,
            self.application,
            self.scopes,
            self.credentials["redirect_uri"],
            email=identity.user.email,
            csrf_token=identity.csrf_token,
            ask_password=self._needs_password(),
            error=error,
        )

    def issue_code(self, grant: Grant) -> Response:
        credentials = {**self.credentials, "grant": grant, "user": grant.user_id}
        headers, _body, _status = self.server.create_authorization_response(
            self.request.url, "GET", "", dict(self.request.headers), self.scopes, credentials
        )
        return HTTPFound(location=headers["Location"])


def _description(refused: HTTPException) -> str:
    errors = getattr(refused, "backrest_errors", None) or [{"description": refused.detail or refused.title}]
    return errors[0]["description"]


def _answer(request: Request, step: str) -> Response:
    try:
        visit = Authorization(request)
    except Refused as refused:
        return refused.response
    return getattr(visit, step)()


@authorize.get(**PAGE_OPTIONS)
def authorize_view(request: Request) -> Response:
    return _answer(request, "show")


@authorize.post(**PAGE_OPTIONS)
def decide_view(request: Request) -> Response:
    return _answer(request, "decide")
