import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrest.security.passwords import Passwords, common_passwords
from backrest.settings import resolve
from tests.conftest import FAST_HASHING

PASSWORD = "correct horse battery staple"
EMAIL = "ada.lovelace@example.com"


def make_passwords(**overrides: str) -> Passwords:
    return Passwords.from_settings(resolve({"sqlalchemy.url": "sqlite://", **FAST_HASHING, **overrides}, {}))


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return make_passwords()


# Length.


def test_default_limits_are_12_and_1024(passwords):
    assert passwords.min_length == 12
    assert passwords.max_length == 1024


def test_shortest_allowed_password_is_accepted(passwords):
    assert passwords.problem("x7#kq2!vm9pL") is None


def test_one_character_too_short_is_refused(passwords):
    assert passwords.problem("x7#kq2!vm9p") == "The password must have at least 12 characters."


def test_longest_allowed_password_is_accepted(passwords):
    assert passwords.problem("x7#kq2!vm9pL" * 85 + "abcd") is None


def test_one_character_too_long_is_refused(passwords):
    assert passwords.problem("x7#kq2!vm9pL" * 85 + "abcde") == (
        "The password must have at most 1024 characters."
    )


def test_limits_are_configurable():
    passwords = make_passwords(**{"backrest.password.min_length": "20", "backrest.password.max_length": "24"})
    assert passwords.problem("x7#kq2!vm9pL" + "a" * 7) is not None
    assert passwords.problem("x7#kq2!vm9pL" + "a" * 8) is None
    assert passwords.problem("x7#kq2!vm9pL" + "a" * 13) is not None


def test_length_counts_characters_not_bytes(passwords):
    assert passwords.problem("ÿéàüöçñøåßœ") is not None  # 11 characters, 22 bytes
    assert passwords.problem("ÿéàüöçñøåßœæ") is None


def test_surrounding_spaces_count_and_are_never_trimmed(passwords):
    assert passwords.problem("  x7#kq2!vm  ") is None  # 13 with the spaces, 9 without
    hashed = passwords.hash("  x7#kq2!vm  ")
    assert passwords.verify(hashed, "  x7#kq2!vm  ")
    assert not passwords.verify(hashed, "x7#kq2!vm")
    assert not passwords.verify(hashed, "  x7#kq2!vm")


def test_long_password_is_never_truncated(passwords):
    long_password = "x7#kq2!vm9pL" * 85
    hashed = passwords.hash(long_password)
    assert passwords.verify(hashed, long_password)
    assert not passwords.verify(hashed, long_password[:-1])
    assert not passwords.verify(hashed, long_password[:72])


# The email address.


@pytest.mark.parametrize(
    "password",
    [
        EMAIL,
        "my " + EMAIL + " pw",
        "MY " + EMAIL.upper() + " PW",
        "ada.lovelace is me",
        "secret-Ada.Lovelace-secret",
    ],
)
def test_password_containing_the_email_or_its_local_part_is_refused(passwords, password):
    assert passwords.problem(password, EMAIL) == "The password must not contain the email address."


def test_very_short_local_part_is_not_held_against_the_password(passwords):
    """A local part of one or two letters is in almost every password."""
    assert passwords.problem("a zebra crossing the road", "a@example.com") is None


def test_local_part_of_three_letters_is_refused(passwords):
    assert passwords.problem("remember bob forever", "bob@example.com") is not None


def test_no_email_means_no_email_check(passwords):
    assert passwords.problem("ada.lovelace is me") is None


# Common passwords.


def test_common_list_is_large():
    assert len(common_passwords()) > 10_000


@pytest.mark.parametrize("password", ["qwerty123456", "QWERTY123456", "1q2w3e4r5t6y"])
def test_common_password_is_refused(passwords, password):
    assert password.lower() in common_passwords()
    assert passwords.problem(password) == "This password is too common."


@pytest.mark.parametrize("password", ["qwertyuiopasdfgh", "aaaaaaaaaaaaaaaa", "abcdefghijklmnop"])
def test_keyboard_walks_repeats_and_sequences_are_refused(passwords, password):
    assert password not in common_passwords()
    assert passwords.problem(password) is not None


def test_uncommon_password_is_accepted(passwords):
    assert passwords.problem(PASSWORD, EMAIL) is None


# Hashing.


def test_hash_is_argon2id_with_the_configured_cost(passwords):
    hashed = passwords.hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert PASSWORD not in hashed


def test_same_password_hashes_differently_each_time(passwords):
    assert passwords.hash(PASSWORD) != passwords.hash(PASSWORD)


def test_verify_accepts_the_right_password(passwords):
    assert passwords.verify(passwords.hash(PASSWORD), PASSWORD) is True


def test_verify_refuses_a_wrong_password(passwords):
    assert passwords.verify(passwords.hash(PASSWORD), PASSWORD + "!") is False


@pytest.mark.parametrize("no_hash", [None, ""])
def test_verify_without_a_hash_says_no(passwords, no_hash):
    assert passwords.verify(no_hash, PASSWORD) is False


def test_verify_without_a_hash_says_no_even_for_the_dummy_password(passwords):
    assert passwords.verify(None, "not anybody's password") is False


@pytest.mark.parametrize("garbage", ["plain text", "$argon2id$v=19$broken", "$2b$12$bcrypt-ish"])
def test_verify_against_a_broken_hash_says_no(passwords, garbage):
    assert passwords.verify(garbage, PASSWORD) is False


def test_hash_with_other_parameters_needs_rehash(passwords):
    stronger = make_passwords(**{"backrest.password.argon2.time_cost": "2"})
    assert passwords.needs_rehash(stronger.hash(PASSWORD))
    assert not passwords.needs_rehash(passwords.hash(PASSWORD))
    assert passwords.verify(stronger.hash(PASSWORD), PASSWORD)


@settings(max_examples=50)
@given(
    local=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._", min_size=3, max_size=20),
    before=st.text(max_size=10),
    after=st.text(max_size=10),
)
def test_password_containing_the_local_part_is_never_accepted(passwords, local, before, after):
    assert passwords.problem(before + local + after, f"{local}@example.com") is not None
