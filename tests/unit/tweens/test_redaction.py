"""Tokens taken out of logged paths by the path alone, from the services' own paths."""

import pytest

from backrest.accounts.views import SERVICES as ACCOUNT_SERVICES
from backrest.tweens.redaction import REDACTED, PathRedactor

TOKEN = "Zm9vYmFyYmF6cXV4-_secret_token_value_1234"
PATHS = [service.path for service in ACCOUNT_SERVICES]
INVITATIONS = "/-/teams/invitations/{token}"
"""A path beside the accounts' own: any service's ``{token}`` is redacted the same way."""


@pytest.fixture
def redact():
    return PathRedactor([*PATHS, "/-/teams/", "/-/teams/{id}", "/-/teams/invitations/", INVITATIONS])


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/-/reset/{TOKEN}", f"/-/reset/{REDACTED}"),
        (f"/-/email/{TOKEN}", f"/-/email/{REDACTED}"),
        (f"/-/confirm/{TOKEN}", f"/-/confirm/{REDACTED}"),
        (f"/-/teams/invitations/{TOKEN}", f"/-/teams/invitations/{REDACTED}"),
        # The trailing slash the services accept, and paths no route takes (a 404) but that hold a token.
        (f"/-/reset/{TOKEN}/", f"/-/reset/{REDACTED}"),
        (f"/-/reset/{TOKEN}/more", f"/-/reset/{REDACTED}"),
        (f"//-//reset/{TOKEN}", f"//-//reset/{REDACTED}"),
        (f"/-/RESET/{TOKEN}", f"/-/RESET/{REDACTED}"),
    ],
)
def test_the_token_is_redacted(redact, path, logged):
    assert redact(path) == logged


@pytest.mark.parametrize(
    "path",
    [
        "/-/email/cancel",
        "/-/email/cancel/",
        "/-/confirm/resend",
        "/-/reset/",
        "/-/email/",
        "/-/teams/invitations/",
        "/-/teams/abc",
        "/-/sessions/abc",
        "/-/documents/abc",
        "/-/nothing/here",
        "/",
        "",
    ],
)
def test_paths_without_a_token_are_kept(redact, path):
    assert redact(path) == path


def test_without_token_services_nothing_is_redacted():
    assert PathRedactor(["/-/sessions/{id}"])(f"/-/reset/{TOKEN}") == f"/-/reset/{TOKEN}"
