import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from backrest.security.tokens import new_token, token_hash

URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def test_token_has_at_least_128_bits():
    # URL-safe base64 carries 6 bits a character.
    assert len(new_token()) * 6 >= 128


def test_token_is_url_safe():
    for _ in range(100):
        assert URL_SAFE.fullmatch(new_token())


def test_tokens_do_not_repeat():
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000


def test_hash_is_sha256_hex():
    token = new_token()
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", token_hash(token))


def test_hash_does_not_contain_the_token():
    token = new_token()
    assert token not in token_hash(token)


ANY_CHARACTER = st.characters() | st.characters(categories=["Cs"])  # lone surrogates too


@given(st.text(alphabet=ANY_CHARACTER))
def test_hash_of_any_string_is_64_hex_digits(text):
    """Tokens come from URLs and bodies: lone surrogates must not crash the lookup."""
    assert re.fullmatch(r"[0-9a-f]{64}", token_hash(text))


@given(st.text(), st.text())
def test_different_strings_have_different_hashes(one, other):
    assert (token_hash(one) == token_hash(other)) == (one == other)
