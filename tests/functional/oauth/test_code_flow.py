"""The authorization code flow with PKCE, from the consent page to the API and back."""

from __future__ import annotations

from tests.functional.oauth.conftest import bearer, exchange


def test_a_confidential_client_gets_tokens_that_call_the_api(register, code_for, api):
    client = register()
    code, verifier = code_for(client)
    tokens = exchange(api, client, code, verifier).json
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "read write"
    assert tokens["expires_in"] == 3600
    profile = api.get("/-/userprofile", headers=bearer(tokens["access_token"]), status=200)
    assert profile.json["email"] == "ada@example.com"
    made = api.post_json(
        "/-/documents/", {"title": "By the app"}, headers=bearer(tokens["access_token"]), status=201
    )
    assert made.json["title"] == "By the app"


def test_a_refresh_rotates_and_the_old_refresh_token_then_revokes_the_family(register, code_for, api):
    client = register(client_type="public", redirect_uri="http://127.0.0.1/callback")
    code, verifier = code_for(client)
    first = exchange(api, client, code, verifier).json
    form = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": client.client_id,
    }
    second = api.post("/oauth2/token", form, status=200).json
    assert second["refresh_token"] != first["refresh_token"]
    api.get("/-/userprofile", headers=bearer(second["access_token"]), status=200)
    replay = api.post("/oauth2/token", form, status=400)
    assert replay.json["error"] == "invalid_grant"
    assert replay.json["status"] == "error"
    refused = api.get("/-/userprofile", headers=bearer(second["access_token"]), status=401)
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
