"""The KEYID:SECRET credential: its shape, and the keyed hash kept of its secret."""

from __future__ import annotations

from backrest.keys.credentials import CREDENTIAL, as_credential, new_credential, secret_hash


def test_a_new_credential_has_the_shape_refused_in_urls():
    credential = new_credential()
    assert CREDENTIAL.match(f"{credential.key_id}:{credential.secret}")
    assert new_credential() != credential


def test_the_hash_depends_on_the_secret_the_key_id_and_the_pepper():
    credential = new_credential()
    other = new_credential()
    hashed = secret_hash(credential.key_id, credential.secret, "")
    assert secret_hash(credential.key_id, credential.secret, "") == hashed
    assert secret_hash(credential.key_id, other.secret, "") != hashed
    assert secret_hash(other.key_id, credential.secret, "") != hashed
    assert secret_hash(credential.key_id, credential.secret, "pepper") != hashed


def test_only_the_whole_shape_is_a_credential():
    credential = new_credential()
    text = f"{credential.key_id}:{credential.secret}"
    assert as_credential(text) == credential
    assert as_credential(text + "x") is None
    assert as_credential(f" {text}") is None
    assert as_credential(credential.secret) is None
