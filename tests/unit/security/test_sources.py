"""The credential sources: which are asked, in which order, and what a 401 challenges with."""

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from backrest.security.sources import (
    REGISTRY_KEY,
    CredentialError,
    CredentialSource,
    CredentialSources,
    add_credential_source,
    credential_sources,
)


def source(scheme=None, challenge=None, usage=None):
    return type("Source", (CredentialSource,), {"scheme": scheme, "challenge": challenge, "usage": usage})()


@pytest.fixture
def sources():
    return CredentialSources()


def test_the_sources_of_a_scheme_are_asked_lowest_order_first_whatever_its_case(sources):
    password, key = source("Basic"), source("Basic")
    sources.add(password, 300)
    sources.add(key, 200)
    assert sources.reading("basic") == (key, password)


def test_a_request_without_the_header_asks_the_sources_of_no_scheme(sources):
    field, cookie, token = source(), source(challenge="Cookie"), source("Token", "Token")
    for order, each in enumerate((cookie, token, field)):
        sources.add(each, 900 - order * 100)
    assert sources.reading(None) == (field, cookie)
    assert sources.reading("token") == (token,)
    assert sources.reading("") == ()


def test_the_site_challenge_names_every_scheme_but_basic_in_order(sources):
    sources.add(source("Token", "Token", "Token KEYID:SECRET"), 100)
    sources.add(source("Basic", "Basic"), 200)
    sources.add(source(challenge="Cookie"), 900)
    assert sources.site_challenge == 'Cookie realm="backrest", Token realm="backrest"'
    assert sources.challenge(CredentialError("no", "Basic")) == sources.site_challenge
    assert sources.challenge(CredentialError("no", "Token")) == 'Token realm="backrest"'


def test_a_refusal_may_add_parameters_to_its_scheme_challenge(sources):
    refusal = CredentialError("expired", "Bearer", challenge='error="invalid_token"')
    assert sources.challenge(refusal) == 'Bearer realm="backrest", error="invalid_token"'


def test_a_scheme_no_source_reads_is_told_the_advertised_ones(sources):
    sources.add(source("Token", "Token", "Token KEYID:SECRET"), 100)
    sources.add(source("Basic"), 200)
    sources.add(source(challenge="Cookie"), 900)
    assert sources.header_challenge == 'Token realm="backrest"'
    assert (
        sources.unsupported("negotiate")
        == "Unsupported authorization scheme 'negotiate': send 'Token KEYID:SECRET'."
    )


def test_two_sources_with_one_order_are_a_conflict():
    config = Configurator()
    config.registry[REGISTRY_KEY] = CredentialSources()
    config.add_directive("add_credential_source", add_credential_source)
    config.add_credential_source(source("Token"), order=100)
    config.add_credential_source(source(), order=100)
    with pytest.raises(ConfigurationConflictError):
        config.commit()


def test_the_directive_registers_when_the_configuration_is_committed():
    config = Configurator()
    config.registry[REGISTRY_KEY] = CredentialSources()
    config.add_directive("add_credential_source", add_credential_source)
    cookie = source(challenge="Cookie")
    config.add_credential_source(cookie, order=900)
    assert credential_sources(config.registry).reading(None) == ()
    config.commit()
    assert credential_sources(config.registry).reading(None) == (cookie,)
