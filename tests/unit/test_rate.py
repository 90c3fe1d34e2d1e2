"""Rates as the settings write them, read without ``limits`` and held as ``limits`` holds them."""

import limits
import pytest

from backrest.rate import Rate

NOTATIONS = ["60/hour", "5/15minutes", "10 per day", " 3 / 2 Seconds ", "1/month", "2/year", "0/minute"]


@pytest.mark.parametrize("text", NOTATIONS)
def test_a_rate_is_what_limits_reads(text):
    rate = Rate.parse(text)
    expected = limits.parse(text)
    assert (rate.amount, rate.seconds) == (expected.amount, expected.get_expiry())
    assert rate.item == expected


@pytest.mark.parametrize("text", NOTATIONS)
def test_its_counters_are_named_as_limits_names_them(text):
    assert Rate.parse(text).key("login", "caller") == limits.parse(text).key_for("login", "caller")


@pytest.mark.parametrize("text", ["60/hour", "5/15minutes"])
def test_it_writes_what_it_reads(text):
    assert str(Rate.parse(text)) == text
    assert Rate.parse(str(Rate.parse(text))) == Rate.parse(text)


@pytest.mark.parametrize(
    "text", ["", "hour", "60", "60/", "60/fortnight", "60/0hours", "-1/hour", "1.5/hour", "1/hour;2/day"]
)
def test_anything_else_is_refused_with_the_notation_it_expects(text):
    with pytest.raises(ValueError, match="must be one rate like 60/hour or 5/15minutes"):
        Rate.parse(text)


def test_equal_rates_are_one_key_of_a_dict():
    assert {Rate.parse("60/hour"): "a"}[Rate.parse("60 per 1 hours")] == "a"
