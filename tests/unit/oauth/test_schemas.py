"""The body of an application: defaults, choices read as sets, each bad redirect URI by its position."""

import colander
import pytest

from backrest.oauth.schemas import ApplicationSchema


def deserialize(**body):
    return ApplicationSchema().deserialize({"name": "Notes", **body})


def errors_of(**body):
    with pytest.raises(colander.Invalid) as caught:
        deserialize(**body)
    return caught.value.asdict()


def test_defaults():
    assert deserialize() == {
        "name": "Notes",
        "description": "",
        "client_type": "confidential",
        "redirect_uris": (),
        "grant_types": ("authorization_code", "refresh_token"),
        "scopes": ("read", "write"),
    }


def test_grant_types_and_scopes_are_sets_kept_in_the_order_of_their_choices():
    body = deserialize(grant_types=["password", "authorization_code", "password"], scopes=["write", "read"])
    assert body["grant_types"] == ["authorization_code", "password"]
    assert body["scopes"] == ["read", "write"]


def test_unknown_choices_are_refused_by_position():
    assert errors_of(grant_types=["authorization_code", "client_credentials"], scopes=["admin"]) == {
        "grant_types.1": '"client_credentials" is not one of authorization_code, refresh_token, password',
        "scopes.0": '"admin" is not one of read, write',
    }


def test_at_least_one_grant_type_and_one_scope():
    assert set(errors_of(grant_types=[], scopes=[])) == {"grant_types", "scopes"}


def test_the_client_type_is_one_of_two():
    assert set(errors_of(client_type="trusted")) == {"client_type"}


def test_each_bad_redirect_uri_is_reported_by_its_position():
    errors = errors_of(redirect_uris=["https://app.example.com/cb", "http://app.example.com/cb", "/cb"])
    assert set(errors) == {"redirect_uris.1", "redirect_uris.2"}


def test_a_repeated_redirect_uri_is_reported_where_it_repeats():
    uri = "https://app.example.com/cb"
    assert errors_of(redirect_uris=[uri, "https://app.example.com/other", uri]) == {
        "redirect_uris.2": "Listed already."
    }


def test_redirect_uris_are_kept_as_sent():
    uris = ["https://b.example.com/cb", "https://a.example.com/cb"]
    assert deserialize(redirect_uris=uris)["redirect_uris"] == uris


def test_at_most_twenty_redirect_uris():
    uris = [f"https://app.example.com/{number}" for number in range(21)]
    assert set(errors_of(redirect_uris=uris)) == {"redirect_uris"}


def test_a_redirect_uri_is_at_most_2000_characters():
    assert set(errors_of(redirect_uris=["https://app.example.com/" + "a" * 2000])) == {"redirect_uris.0"}
