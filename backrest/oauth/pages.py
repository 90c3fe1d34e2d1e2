"""The pages of the authorization endpoint: log in, allow or deny, and what went wrong.

Server-rendered and working without JavaScript: the page carries no script
at all, and its Content-Security-Policy allows none, nor any frame
(``frame-ancestors 'none'``: a page that grants access must not be
clickjacked). Everything put into a page goes through MarkupSafe's
``escape``; the skeleton is ``templates/oauth.html``, filled with
``string.Template`` as the browsable page is. The forms post back to the
page's own URL, whose query keeps the authorization request.
"""

from __future__ import annotations

import secrets
from importlib.resources import files
from string import Template
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from pyramid.response import Response

from backrest.oauth.scope_words import described

if TYPE_CHECKING:
    from pyramid.request import Request

    from backrest.oauth.models import Application

PAGE = Template(files("backrest").joinpath("templates/oauth.html").read_text("utf-8"))
CSP = "default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; frame-ancestors 'none'"
# No form-action: after "allow", the browser follows a redirect to the
# application's site, which form-action 'self' would block.


def page(request: Request, title: str, content: Markup, status: int = 200) -> Response:
    nonce = secrets.token_urlsafe(16)
    response = Response(
        PAGE.substitute(title=escape(title), content=content, nonce=nonce),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )
    response.headers.update(
        {
            "Content-Security-Policy": CSP.format(nonce=nonce),
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
            # The page's URL holds the request's state: no other site learns it.
            "Referrer-Policy": "no-referrer",
        }
    )
    return response


def _error(message: str | None) -> Markup:
    return Markup('<p class="error" role="alert">{}</p>').format(message) if message else Markup("")


def _hidden(name: str, value: str) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(name, value)


def login_page(
    request: Request, application: Application, form_token: str, error: str | None = None
) -> Response:
    content = Markup(
        "<p>Log in to let <strong>{name}</strong> use your account.</p>{error}"
        '<form method="post" action="{action}">{token}'
        '<label>Email <input type="email" name="email" autocomplete="username" required autofocus></label>'
        '<label>Password <input type="password" name="password" autocomplete="current-password" '
        "required></label>"
        '<button type="submit" name="action" value="login">Log in</button>'
        "</form>"
    ).format(
        name=application.name,
        error=_error(error),
        action=request.url,
        token=_hidden("form_token", form_token),
    )
    return page(request, "Log in", content, 400 if error else 200)


def consent_page(
    request: Request,
    application: Application,
    scopes: list[str],
    redirect_uri: str,
    *,
    email: str,
    csrf_token: str,
    ask_password: bool,
    error: str | None = None,
) -> Response:
    items = Markup("").join(
        Markup("<li><strong>{}</strong>: {}</li>").format(scope, words) for scope, words in described(scopes)
    )
    password = (
        Markup(
            '<label>Confirm your password <input type="password" name="password" '
            'autocomplete="current-password" required></label>'
        )
        if ask_password
        else Markup("")
    )
    description = (
        Markup("<p>{}</p>").format(application.description) if application.description else Markup("")
    )
    content = Markup(
        "<p><strong>{name}</strong> asks to use your account, {email}.</p>{description}"
        '<p>It will be able to:</p><ul class="scopes">{items}</ul>'
        '<p class="muted">Then you go back to {host}. You can revoke its access at any time.</p>{error}'
        '<form method="post" action="{action}">{csrf}{password}'
        '<button type="submit" name="action" value="allow">Allow</button>'
        '<button type="submit" name="action" value="deny" formnovalidate>Deny</button>'
        "</form>"
    ).format(
        name=application.name,
        email=email,
        description=description,
        items=items,
        host=urlsplit(redirect_uri).netloc or redirect_uri,
        error=_error(error),
        action=request.url,
        csrf=_hidden("csrf_token", csrf_token),
        password=password,
    )
    return page(request, f"Allow {application.name}?", content, 400 if error else 200)


def problem_page(request: Request, title: str, message: str, status: int) -> Response:
    """An answer that cannot go back to the application: its client or redirect URI are not to be trusted."""
    return page(request, title, Markup("<p>{}</p>").format(message), status)
