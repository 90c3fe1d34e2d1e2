"""A confidential client's secret: random, kept as the keyed hash an API key's secret has."""

import re

from pyramid.testing import DummyRequest

from backrest.keys.credentials import secret_hash
from backrest.oauth.client_secrets import issue_secret
from backrest.oauth.models import Application

PEPPER = "a pepper of at least thirty-two characters"


def request():
    dummy = DummyRequest()
    dummy.registry.settings = {"backrest.keys.pepper": PEPPER}
    return dummy


def test_a_new_application_gets_its_client_id_first():
    application = Application()
    issue_secret(request(), application)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", application.client_id)


def test_the_secret_has_256_random_bits_and_only_its_keyed_hash_is_kept():
    application = Application()
    secret = issue_secret(request(), application)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert application.secret_hash == secret_hash(application.client_id, secret, PEPPER)
    assert secret not in application.secret_hash


def test_a_new_secret_replaces_the_old_one_and_keeps_the_client_id():
    application = Application()
    first = issue_secret(request(), application)
    client_id, first_hash = application.client_id, application.secret_hash
    second = issue_secret(request(), application)
    assert second != first
    assert application.client_id == client_id
    assert application.secret_hash not in (first_hash, None)
