"""The rules across an application's fields, each reported on the field to change."""

import pytest

from backrest.oauth.client_rules import problems

WEB = ["https://app.example.com/callback"]
NATIVE = ["com.example.app:/callback"]
CODE = ["authorization_code", "refresh_token"]


@pytest.mark.parametrize(
    ("client_type", "grant_types", "redirect_uris"),
    [
        ("confidential", CODE, WEB),
        ("confidential", ["authorization_code"], WEB),
        ("confidential", ["password", "refresh_token"], []),
        ("confidential", ["password"], []),
        ("confidential", [*CODE, "password"], WEB),
        ("public", CODE, NATIVE),
        ("public", CODE, [*WEB, *NATIVE, "http://127.0.0.1/callback"]),
    ],
)
def test_consistent_applications(client_type, grant_types, redirect_uris):
    assert problems(client_type, grant_types, redirect_uris) == []


def test_the_password_grant_is_for_confidential_clients_only():
    assert problems("public", ["password", "refresh_token"], []) == [
        ("grant_types", "The password grant is only for confidential clients.")
    ]


def test_a_refresh_token_needs_a_grant_that_issues_one():
    assert [name for name, _ in problems("confidential", ["refresh_token"], WEB)] == ["grant_types"]


def test_the_authorization_code_grant_needs_a_redirect_uri():
    assert problems("public", CODE, []) == [
        ("redirect_uris", "The authorization_code grant needs at least one redirect URI.")
    ]


def test_private_use_schemes_are_refused_to_confidential_clients_each_by_its_position():
    found = problems("confidential", CODE, [*WEB, *NATIVE, "org.example.other:/callback"])
    assert [name for name, _ in found] == ["redirect_uris.1", "redirect_uris.2"]


def test_every_problem_is_reported():
    found = problems("public", ["password", "refresh_token", "authorization_code"], [])
    assert [name for name, _ in found] == ["grant_types", "redirect_uris"]
