"""POST /oauth2/revoke (RFC 7009) and POST /oauth2/introspect (RFC 7662): each client's own tokens only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from backrest.db import utcnow
from backrest.oauth.models import Token
from tests.functional.oauth.conftest import NATIVE, Client, basic, bearer, call, refresh


def revoke(api, client, token: str, status: int = 200, **form: str):
    return call(api, "/oauth2/revoke", client, status, token=token, **form)


def introspect(api, client, token: str, status: int = 200, **form: str):
    return call(api, "/oauth2/introspect", client, status, token=token, **form)


# Revocation.


@pytest.mark.parametrize("hint", [None, "access_token"])
def test_a_revoked_access_token_stops_while_its_refresh_token_still_works(register, tokens_for, api, hint):
    client = register()
    tokens = tokens_for(client, scope="read")
    extra = {} if hint is None else {"token_type_hint": hint}
    answer = revoke(api, client, tokens["access_token"], **extra)
    assert answer.headers["Cache-Control"] == "no-store"
    refused = api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    renewed = refresh(api, client, tokens["refresh_token"]).json
    assert renewed["scope"] == "read"
    api.get("/-/userprofile", headers=bearer(renewed["access_token"]), status=200)
    api.post_json("/-/documents/", {"title": "t"}, headers=bearer(renewed["access_token"]), status=403)


def test_refreshing_after_revoking_the_access_token_cannot_widen_the_scope(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client, scope="read")
    revoke(api, client, tokens["access_token"])
    answer = refresh(api, client, tokens["refresh_token"], status=400, scope="read write")
    assert answer.json["error"] == "invalid_scope"
    assert refresh(api, client, tokens["refresh_token"], scope="read").json["scope"] == "read"


@pytest.mark.parametrize("hint", [None, "refresh_token"])
def test_a_revoked_refresh_token_takes_its_access_token_with_it(register, tokens_for, api, hint):
    client = register()
    tokens = tokens_for(client)
    extra = {} if hint is None else {"token_type_hint": hint}
    revoke(api, client, tokens["refresh_token"], **extra)
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)
    assert refresh(api, client, tokens["refresh_token"], status=400).json["error"] == "invalid_grant"


def test_a_public_client_revokes_its_own_tokens(register, tokens_for, api):
    client = register(client_type="public", redirect_uri=NATIVE)
    tokens = tokens_for(client)
    revoke(api, client, tokens["refresh_token"])
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)


def test_revoking_an_unknown_token_answers_200(register, api):
    client = register()
    answer = revoke(api, client, "no-such-token")
    assert answer.status_int == 200


def test_revoking_twice_answers_200(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client)
    revoke(api, client, tokens["access_token"])
    revoke(api, client, tokens["access_token"])


def test_another_clients_token_is_not_revoked(register, tokens_for, api):
    client = register()
    other = register()
    tokens = tokens_for(client)
    revoke(api, other, tokens["access_token"])
    revoke(api, other, tokens["refresh_token"])
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=200)
    refresh(api, client, tokens["refresh_token"], status=200)


def test_revoking_needs_the_clients_secret(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client)
    client.secret = "wrong"
    answer = revoke(api, client, tokens["access_token"], status=401)
    assert answer.json["error"] == "invalid_client"
    assert answer.json["status"] == "error"
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=200)


def test_revoking_without_a_token_is_invalid_request(register, api):
    client = register()
    answer = call(api, "/oauth2/revoke", client, 400)
    assert answer.json["error"] == "invalid_request"
    assert answer.json["status"] == "error"


# Introspection.


def test_a_confidential_client_introspects_its_live_token(register, tokens_for, user, api):
    client = register()
    tokens = tokens_for(client, scope="read")
    answer = introspect(api, client, tokens["access_token"])
    assert answer.headers["Cache-Control"] == "no-store"
    found = answer.json
    assert found["active"] is True
    assert found["scope"] == "read"
    assert found["client_id"] == client.client_id
    assert found["sub"] == user.get("/-/login").json["id"]
    assert found["exp"] - found["iat"] == 3600
    assert isinstance(found["iat"], int)


def test_a_refresh_token_introspects_as_active_too(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client)
    assert introspect(api, client, tokens["refresh_token"]).json["active"] is True


def inactive(answer) -> bool:
    """RFC 7662 section 2.2: nothing but ``active: false`` is said of a token that does not work."""
    return answer.json == {"active": False}


def test_a_revoked_token_is_inactive(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client)
    revoke(api, client, tokens["access_token"])
    assert inactive(introspect(api, client, tokens["access_token"]))


def test_the_tokens_of_a_revoked_authorization_are_inactive(register, tokens_for, user, api):
    client = register()
    tokens = tokens_for(client)
    [grant] = user.get("/-/authorizations/").json["results"]
    user.delete(f"/-/authorizations/{grant['id']}", status=204)
    assert inactive(introspect(api, client, tokens["access_token"]))
    assert inactive(introspect(api, client, tokens["refresh_token"]))


def test_a_rotated_refresh_token_is_inactive(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client)
    refresh(api, client, tokens["refresh_token"])
    assert inactive(introspect(api, client, tokens["refresh_token"]))


def test_an_expired_token_is_inactive(register, tokens_for, api, dbsession):
    client = register()
    tokens = tokens_for(client)
    dbsession.execute(update(Token).values(expires=utcnow() - timedelta(seconds=1)))
    dbsession.commit()
    assert inactive(introspect(api, client, tokens["access_token"]))
    api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=401)


def test_an_unknown_token_is_inactive(register, api):
    assert inactive(introspect(api, register(), "no-such-token"))


def test_another_clients_token_is_inactive_to_it(register, tokens_for, api):
    client = register()
    other = register()
    tokens = tokens_for(client)
    assert inactive(introspect(api, other, tokens["access_token"]))
    assert introspect(api, client, tokens["access_token"]).json["active"] is True


def test_a_public_client_may_not_introspect(register, tokens_for, api):
    client = register(client_type="public", redirect_uri=NATIVE)
    tokens = tokens_for(client)
    answer = introspect(api, client, tokens["access_token"], status=401)
    assert answer.json["error"] == "invalid_client"
    assert answer.json["status"] == "error"
    assert "active" not in answer.json


def test_introspection_needs_the_right_secret(register, tokens_for, api):
    client = register()
    tokens = tokens_for(client)
    client.secret = "wrong"
    answer = introspect(api, client, tokens["access_token"], status=401)
    assert answer.json["error"] == "invalid_client"
    assert "active" not in answer.json


@pytest.mark.parametrize("path", ["/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"])
def test_a_client_that_fails_to_authenticate_is_a_401_the_document_lists(api, path):
    nobody = basic(Client("nobody", "nothing", "https://evil.example/"))
    form = {"grant_type": "refresh_token", "refresh_token": "x", "token": "x"}
    answer = api.post(path, form, headers=nobody, status=401)
    assert answer.json["error"] == "invalid_client"
    assert answer.headers["WWW-Authenticate"]
    described = api.get("/-/openapi.json").json["paths"][path]["post"]["responses"]
    assert described["401"] == {"$ref": "#/components/responses/Unauthorized"}
