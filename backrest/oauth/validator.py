"""oauthlib's request validator, on backrest's models: oauthlib parses and checks the protocol, this answers.

One validator per request (it holds the Pyramid request, for the database
session, the settings and the throttle). oauthlib calls its methods with
its own request object, on which they leave what later steps need
(``client``, ``user``, ``grant``, ``family``...).

Codes and refresh tokens are spent by one conditional ``UPDATE``, so two
concurrent uses cannot both succeed; a second use of either revokes every
token of its family (RFC 6749 section 4.1.2, the OAuth 2.0 Security BCP
section 4.14.2).
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from oauthlib.oauth2 import InvalidGrantError, RequestValidator, UnauthorizedClientError
from sqlalchemy import select, update

from backrest.accounts.services.base import AccountOperations
from backrest.db import new_public_id, utcnow
from backrest.oauth import grants
from backrest.oauth.bearer import token_hash
from backrest.oauth.client_secrets import secret_matches
from backrest.oauth.models import (
    ACCESS,
    CONFIDENTIAL,
    PUBLIC,
    REFRESH,
    Application,
    AuthorizationCode,
    Grant,
    Token,
)
from backrest.oauth.redirect_matching import redirect_uri_allowed
from backrest.oauth.scope_words import KNOWN_SCOPES
from backrest.throttle import client_key, count_guess, key_of, too_many

if TYPE_CHECKING:
    from oauthlib.common import Request as OAuthRequest
    from pyramid.request import Request


class RefreshRaceError(InvalidGrantError):
    """Two requests refreshed with one token at once: the second is a reuse."""

    description = "This refresh token was used already; every token issued with it is revoked."


class Validator(RequestValidator):
    def __init__(self, request: Request, *, confidential_only: bool = False) -> None:
        super().__init__()
        self.request = request
        self.db = request.dbsession
        self.confidential_only = confidential_only
        """Whether only confidential clients may call (introspection)."""

    # Clients.

    def _application(self, client_id: str | None) -> Application | None:
        if not client_id or not isinstance(client_id, str):
            return None
        return self.db.get(Application, client_id)

    def client_authentication_required(self, request: OAuthRequest, *args: Any, **kwargs: Any) -> bool:
        if self.confidential_only or _basic_pair(request) is not None or request.client_secret:
            return True
        application = self._application(request.client_id)
        return application is None or application.client_type == CONFIDENTIAL

    def _count_calls_of(self, client_id: str) -> None:
        """Refuse a client past its ``oauth_client`` rate, whichever addresses it calls from."""
        decision = self.request.registry["throttle"].hit("oauth_client", client_id)
        if not decision.allowed:
            raise too_many(decision, "too_many_requests", "requests")

    def authenticate_client(self, request: OAuthRequest, *args: Any, **kwargs: Any) -> bool:
        """HTTP Basic (``client_secret_basic``) or the form's fields (``client_secret_post``).

        Each check is counted against the ``login_failures`` budget of the
        client id and the caller's address, so that a secret cannot be
        guessed faster than a password. Not against a budget shared by every
        address, as an account's password is: the application's own server
        has no device cookie to be told apart by, and strangers spending such
        a budget would lock it (and every user of it) out of the token
        endpoint. Its 256 random bits need no cap across addresses.
        """
        pair = _basic_pair(request)
        client_id, secret = pair if pair is not None else (request.client_id, request.client_secret)
        if not client_id or not secret:
            return False
        self._count_calls_of(client_id)
        throttle = self.request.registry["throttle"]
        key = key_of(f"oauth-client:{client_id}", client_key(self.request.client_addr or ""))
        guess = throttle.attempt("login_failures", key)
        if not guess.decision.allowed:
            raise too_many(guess.decision, "client_secret")
        application = self._application(client_id)
        if (
            application is None
            or application.client_type != CONFIDENTIAL
            or not secret_matches(self.request, application, secret)
        ):
            return False
        throttle.clear(guess.scope, guess.key)
        request.client, request.client_id = application, application.id
        return True

    def authenticate_client_id(
        self, client_id: str, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        self._count_calls_of(client_id)
        application = self._application(client_id)
        if application is None or application.client_type != PUBLIC:
            return False
        request.client = application
        return True

    def validate_client_id(self, client_id: str, request: OAuthRequest, *args: Any, **kwargs: Any) -> bool:
        application = self._application(client_id)
        request.client = application
        return application is not None

    def validate_grant_type(
        self,
        client_id: str,
        grant_type: str,
        client: Application,
        request: OAuthRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        return grant_type in client.grant_types

    def validate_response_type(
        self,
        client_id: str,
        response_type: str,
        client: Application,
        request: OAuthRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        return response_type == "code" and "authorization_code" in client.grant_types

    def is_pkce_required(self, client_id: str, request: OAuthRequest) -> bool:
        application = request.client or self._application(client_id)
        return application is None or application.client_type == PUBLIC

    # Redirect URIs and scopes.

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        return redirect_uri_allowed(request.client.redirect_uris, redirect_uri)

    def get_default_redirect_uri(
        self, client_id: str, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> str | None:
        """The one registered URI, when there is exactly one; else the request must name one."""
        uris = request.client.redirect_uris if request.client else []
        return uris[0] if len(uris) == 1 else None

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Application,
        request: OAuthRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        return bool(scopes) and set(scopes) <= KNOWN_SCOPES & set(client.scopes)

    def get_default_scopes(
        self, client_id: str, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> list[str]:
        return list(request.client.scopes)

    # Codes.

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> None:
        ttl = self.request.registry.settings["backrest.oauth.code_ttl"]
        self.db.add(
            AuthorizationCode(
                code_hash=token_hash(self.request, code["code"]),
                grant_id=request.grant.id,
                family=new_public_id(),
                redirect_uri=request.redirect_uri,
                scopes=grants.scope_text(request.scopes),
                code_challenge=request.code_challenge,
                code_challenge_method=request.code_challenge_method,
                expires=utcnow() + timedelta(seconds=ttl),
            )
        )

    def validate_code(
        self, client_id: str, code: str, client: Application, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        """Spend the code: one conditional UPDATE; a code spent before revokes what it gave."""
        found = self.db.execute(
            select(AuthorizationCode, Grant)
            .join(Grant, Grant.id == AuthorizationCode.grant_id)
            .where(AuthorizationCode.code_hash == token_hash(self.request, code))
        ).first()
        if found is None:
            return False
        stored, grant = found
        if grant.application_id != client.id:
            return False
        spent = self.db.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.code_hash == stored.code_hash, AuthorizationCode.used.is_(None))
            .values(used=utcnow()),
            execution_options={"synchronize_session": False},
        )
        if spent.rowcount != 1:
            grants.revoke_family(self.db, stored.family)
            return False
        if stored.expires <= utcnow() or grant.revoked is not None:
            return False
        request.stored_code, request.grant, request.family = stored, grant, stored.family
        request.user = grant.user_id
        request.scopes = stored.scopes.split()
        return True

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> None:
        """Nothing left to do: :meth:`validate_code` spent the code before any token was made."""

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Application,
        request: OAuthRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        return redirect_uri == request.stored_code.redirect_uri

    def get_code_challenge(self, code: str, request: OAuthRequest) -> str | None:
        return request.stored_code.code_challenge

    def get_code_challenge_method(self, code: str, request: OAuthRequest) -> str | None:
        return request.stored_code.code_challenge_method

    # The password grant.

    def validate_user(
        self,
        username: str,
        password: str,
        client: Application,
        request: OAuthRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        """The user's password, counted as a login is; the grant it makes is an authorization like any.

        oauthlib asks for the password before it checks that the client may
        use this grant at all: checked first here, so that an application
        without the password grant is refused whatever the password, and
        checks none (it would tell a right password from a wrong one).
        """
        if not self.validate_grant_type(client.id, "password", client, request):
            raise UnauthorizedClientError(request=request)
        user = AccountOperations(self.request).by_email(username)
        guess = count_guess(self.request, username, user.id if user else None)
        if guess.refusal is not None:
            raise too_many(guess.refusal, "password")
        passwords = self.request.registry["passwords"]
        if not passwords.verify(user.password_hash if user else None, password):
            return False
        guess.succeeded()
        if not user.email_verified:
            return False
        request.user = user.id
        request.password_user = user
        return True

    # Tokens.

    def save_bearer_token(
        self, token: dict[str, Any], request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> None:
        """Keep the hashes of the new tokens; a refresh rotates the old refresh token here."""
        if request.grant_type == "password":
            scopes = request.scopes or list(request.client.scopes)
            request.grant = grants.agree(self.request, request.password_user, request.client, scopes)
            request.family = new_public_id()
        if request.grant_type == "refresh_token":
            self._rotate(request)
        settings = self.request.registry.settings
        now = utcnow()
        scopes = grants.scope_text(request.scopes)
        issued = [(ACCESS, token["access_token"], settings["backrest.oauth.access_token_ttl"], scopes)]
        if "refresh_token" in token:
            # RFC 6749 section 6: an access token narrowed at refresh leaves the
            # new refresh token with the scopes of the one it replaces.
            kept = self.get_original_scopes("", request) if request.grant_type == "refresh_token" else None
            issued.append(
                (
                    REFRESH,
                    token["refresh_token"],
                    settings["backrest.oauth.refresh_token_ttl"],
                    scopes if kept is None else grants.scope_text(kept),
                )
            )
        for kind, text, ttl, kind_scopes in issued:
            self.db.add(
                Token(
                    token_hash=token_hash(self.request, text),
                    kind=kind,
                    grant_id=request.grant.id,
                    family=request.family,
                    scopes=kind_scopes,
                    created=now,
                    expires=now + timedelta(seconds=ttl),
                )
            )
        token["scope"] = scopes

    def _rotate(self, request: OAuthRequest) -> None:
        rotated = self.db.execute(
            update(Token)
            .where(Token.id == request.refresh_row.id, Token.rotated.is_(None), Token.revoked.is_(None))
            .values(rotated=utcnow()),
            execution_options={"synchronize_session": False},
        )
        if rotated.rowcount != 1:
            grants.revoke_family(self.db, request.family)
            raise RefreshRaceError(request=request)

    def rotate_refresh_token(self, request: OAuthRequest) -> bool:
        return True

    def validate_refresh_token(
        self, refresh_token: str, client: Application, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        found = self._token(refresh_token, REFRESH)
        if found is None:
            return False
        row, grant = found
        if grant.application_id != client.id or row.revoked is not None or grant.revoked is not None:
            return False
        if row.rotated is not None:
            grants.revoke_family(self.db, row.family)
            return False
        if row.expires <= utcnow():
            return False
        request.refresh_row, request.grant, request.family = row, grant, row.family
        request.user = grant.user_id
        return True

    def get_original_scopes(
        self, refresh_token: str, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> list[str]:
        """The refresh token's scopes, within what the grant still allows: no refresh widens them."""
        allowed = set(request.grant.scopes.split())
        return [scope for scope in request.refresh_row.scopes.split() if scope in allowed]

    def _token(self, text: str, *kinds: str) -> tuple[Token, Grant] | None:
        found = self.db.execute(
            select(Token, Grant)
            .join(Grant, Grant.id == Token.grant_id)
            .where(
                Token.token_hash == token_hash(self.request, text), Token.kind.in_(kinds or (ACCESS, REFRESH))
            )
        ).first()
        return None if found is None else (found[0], found[1])

    # Revocation (RFC 7009) and introspection (RFC 7662): of the calling client's own tokens only.

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> None:
        """An access token alone, or a refresh token with every token of its family."""
        found = self._token(token)
        if found is None or found[1].application_id != request.client.id:
            return
        row, _grant = found
        if row.kind == REFRESH:
            grants.revoke_family(self.db, row.family)
        elif row.revoked is None:
            row.revoked = utcnow()

    def introspect_token(
        self, token: str, token_type_hint: str | None, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> dict[str, Any] | None:
        found = self._token(token)
        if found is None:
            return None
        row, grant = found
        live = (
            row.revoked is None and grant.revoked is None and row.rotated is None and row.expires > utcnow()
        )
        if not live or grant.application_id != request.client.id:
            return None
        return {
            "scope": row.scopes,
            "client_id": grant.application_id,
            "sub": grant.user_id,
            "token_type": "Bearer" if row.kind == ACCESS else "refresh_token",
            "exp": int(row.expires.timestamp()),
            "iat": int(row.created.timestamp()),
        }


def _basic_pair(request: OAuthRequest) -> tuple[str, str] | None:
    """``client_id`` and secret of ``Authorization: Basic``, form-decoded as RFC 6749 section 2.3.1 asks."""
    scheme, _, credentials = (request.headers.get("Authorization") or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    return (unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))) if colon else None
