import time

import pytest

from backrest.settings import resolve
from backrest.throttle import SCOPES, Decision, Throttle, key_of, too_many

KEY = key_of("192.0.2.10")
OTHER = key_of("198.51.100.20")


@pytest.fixture
def throttle() -> Throttle:
    return Throttle({"login": "3/minute", "signup": "1/hour"})


def test_hits_within_the_rate_are_allowed(throttle):
    decisions = [throttle.hit("login", KEY) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    assert all(d.limit == 3 for d in decisions)


def test_hit_over_the_rate_is_refused(throttle):
    for _ in range(3):
        throttle.hit("login", KEY)
    decision = throttle.hit("login", KEY)
    assert not decision.allowed
    assert decision.remaining == 0
    assert 0 < decision.retry_after <= 60


def test_test_counts_nothing(throttle):
    for _ in range(5):
        assert throttle.test("login", KEY).allowed
    assert throttle.used("login", KEY) == 0


def test_test_says_no_once_the_rate_is_used(throttle):
    for _ in range(3):
        throttle.hit("login", KEY)
    assert not throttle.test("login", KEY).allowed


def test_used_counts_hits(throttle):
    assert throttle.used("login", KEY) == 0
    throttle.hit("login", KEY)
    throttle.hit("login", KEY)
    assert throttle.used("login", KEY) == 2


def test_clear_forgets_the_key(throttle):
    for _ in range(3):
        throttle.hit("login", KEY)
    throttle.clear("login", KEY)
    assert throttle.used("login", KEY) == 0
    assert throttle.hit("login", KEY).allowed


def test_keys_are_counted_apart(throttle):
    for _ in range(3):
        throttle.hit("login", KEY)
    assert throttle.hit("login", OTHER).allowed
    assert throttle.used("login", OTHER) == 1


def test_scopes_are_counted_apart(throttle):
    assert throttle.hit("signup", KEY).allowed
    assert not throttle.hit("signup", KEY).allowed
    assert throttle.hit("login", KEY).allowed


def test_unknown_scope_is_an_error(throttle):
    with pytest.raises(KeyError):
        throttle.hit("nonsense", KEY)


def test_throttles_do_not_share_counters():
    one, other = Throttle({"login": "1/minute"}), Throttle({"login": "1/minute"})
    one.hit("login", KEY)
    assert other.hit("login", KEY).allowed


def test_every_scope_parses_with_the_default_rates():
    settings = resolve({"sqlalchemy.url": "sqlite://"}, {})
    throttle = Throttle({scope: settings[f"backrest.throttle.{scope}"] for scope in SCOPES})
    assert set(throttle.rates) == set(SCOPES)


# Decision


def test_retry_after_rounds_up():
    assert Decision(False, 5, 0, time.time() + 10.2).retry_after == 11


def test_retry_after_is_at_least_one_second():
    assert Decision(False, 5, 0, time.time() - 100).retry_after == 1
    assert Decision(False, 5, 0, time.time()).retry_after == 1


def test_headers():
    decision = Decision(True, 5, 3, 1_800_000_000.2)
    assert decision.headers() == {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "3",
        "X-RateLimit-Reset": "1800000001",
    }


def test_too_many_is_a_429_in_the_error_shape():
    error = too_many(Decision(False, 5, 0, time.time() + 30), "login")
    assert error.status_int == 429
    assert 29 <= int(error.headers["Retry-After"]) <= 30
    assert error.headers["X-RateLimit-Limit"] == "5"
    assert error.json_body["status"] == "error"
    assert error.json_body["errors"][0]["location"] == "request"
    assert error.json_body["errors"][0]["name"] == "login"


# key_of


def test_key_hides_its_parts():
    key = key_of("ada@example.com", "192.0.2.10")
    assert "ada" not in key
    assert "192.0.2" not in key
    assert len(key) == 64


def test_key_parts_are_separated():
    assert key_of("ab", "c") != key_of("a", "bc")
    assert key_of("a", "b") != key_of("ab")


def test_key_is_stable():
    assert key_of("x", "y") == key_of("x", "y")


def test_key_of_lone_surrogate_does_not_crash():
    assert len(key_of("\ud800")) == 64
