import colander
import pytest

from backrest.accounts.schemas import ProfileSchema, SignupSchema


def test_signup_names_default_to_empty():
    assert SignupSchema().deserialize({"email": "ada@example.com", "password": "x" * 12}) == {
        "email": "ada@example.com",
        "password": "x" * 12,
        "firstname": "",
        "lastname": "",
    }


def test_signup_password_is_required():
    with pytest.raises(colander.Invalid) as caught:
        SignupSchema().deserialize({"email": "ada@example.com"})
    assert caught.value.asdict() == {"password": "Required"}


def test_profile_update_keeps_only_the_keys_given():
    assert ProfileSchema().deserialize({"lastname": "Lovelace", "email": "x@example.com"}) == {
        "lastname": "Lovelace"
    }


def test_profile_update_can_clear_a_name():
    assert ProfileSchema().deserialize({"firstname": ""}) == {"firstname": ""}


def test_signup_requires_a_non_empty_password():
    with pytest.raises(colander.Invalid) as caught:
        SignupSchema().deserialize({"email": "ada@example.com", "password": ""})
    assert caught.value.asdict() == {"password": "Required"}
