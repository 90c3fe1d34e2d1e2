import colander
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrest.schema import Body, email_node, normalize_email, text_node


class Profile(Body):
    name = text_node(max_length=5)
    email = email_node(missing=colander.drop)


def deserialize(cstruct):
    return Profile().deserialize(cstruct)


def errors(cstruct) -> dict[str, str]:
    with pytest.raises(colander.Invalid) as caught:
        deserialize(cstruct)
    return caught.value.asdict()


# Text


@pytest.mark.parametrize("value", [1, 1.5, True, None, [], {}, ["a"]])
def test_text_refuses_other_json_types(value):
    assert errors({"name": value}) == {"name": "Must be a string."}


def test_text_refuses_nul_characters():
    assert errors({"name": "a\x00b"}) == {"name": "Must not contain NUL characters."}


@pytest.mark.parametrize("value", ["\ud800", "ok \udfff", "\udc80\ud800"])
def test_text_refuses_lone_surrogates(value):
    assert errors({"name": value}) == {"name": "Must be valid Unicode text."}


ANY_CHARACTER = st.characters() | st.characters(categories=["Cs"])


@given(st.text(alphabet=ANY_CHARACTER, min_size=1, max_size=20))
def test_accepted_text_can_be_encoded(text):
    """Whatever passes can be stored, hashed and mailed."""
    try:
        value = text_node().deserialize(text)
    except colander.Invalid:
        return
    value.encode("utf-8")


def test_text_keeps_spaces():
    assert deserialize({"name": " a b "}) == {"name": " a b "}


def test_text_length_is_checked():
    assert "name" in errors({"name": "abcdef"})
    assert deserialize({"name": "abcde"}) == {"name": "abcde"}


def test_text_without_limit_takes_long_strings():
    node = text_node()
    assert node.deserialize("x" * 100_000) == "x" * 100_000


@given(st.text(min_size=1).filter(lambda text: "\x00" not in text))
def test_any_string_without_nul_is_text(text):
    assert text_node().deserialize(text) == text


# Body


def test_unknown_keys_and_meta_are_dropped():
    assert deserialize({"name": "ada", "__meta__": {"id": "x"}, "is_admin": True}) == {"name": "ada"}


def test_every_bad_field_is_reported():
    assert set(errors({"name": 3, "email": "nope"})) == {"name", "email"}


def test_missing_required_field_is_reported():
    assert errors({}) == {"name": "Required"}


# Emails


@pytest.mark.parametrize(
    ("given_address", "normalized"),
    [
        ("ada@example.com", "ada@example.com"),
        ("Ada@EXAMPLE.com", "Ada@example.com"),
        ("ada@bücher.example", "ada@bücher.example"),
    ],
)
def test_normalize_email(given_address, normalized):
    assert normalize_email(given_address) == normalized


@pytest.mark.parametrize(
    "address", ["", "ada", "ada@", "@example.com", "ada@@example.com", "ada@example", "a b@example.com"]
)
def test_invalid_email_is_a_value_error(address):
    with pytest.raises(ValueError):
        normalize_email(address)


def test_email_node_strips_surrounding_spaces():
    assert deserialize({"name": "a", "email": "  ada@example.com \n"}) == {
        "name": "a",
        "email": "ada@example.com",
    }


def test_email_node_refuses_invalid_addresses():
    assert errors({"name": "a", "email": "not an address"})["email"].startswith("Invalid email address")


def test_email_node_refuses_overlong_addresses():
    assert "email" in errors({"name": "a", "email": "a" * 64 + "@" + ("b" * 60 + ".") * 5 + "example"})


def test_email_node_refuses_non_strings():
    assert errors({"name": "a", "email": ["ada@example.com"]}) == {"email": "Must be a string."}
