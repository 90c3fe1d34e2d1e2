import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from pyramid.request import Request

from backrest.rate import Rate
from backrest.settings import resolve
from backrest.throttle import SCOPES, Decision, Throttle, client_key, key_of, too_many
from backrest.throttle.devices import DeviceCookies
from backrest.throttle.rates import RequestRates, Scope
from backrest.throttle.storage import ThrottleStorage
from backrest.throttle.tween import collection_of, is_counted
from tests.servers import free_port, redis_server

KEY = key_of("192.0.2.10")
OTHER = key_of("198.51.100.20")


@pytest.fixture
def throttle() -> Throttle:
    return Throttle({"login": Rate.parse("3/minute"), "signup": Rate.parse("1/hour")})


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


def test_keys_are_counted_apart(throttle):
    for _ in range(3):
        throttle.hit("login", KEY)
    assert throttle.hit("login", OTHER).remaining == 2


def test_scopes_are_counted_apart(throttle):
    assert throttle.hit("signup", KEY).allowed
    assert not throttle.hit("signup", KEY).allowed
    assert throttle.hit("login", KEY).allowed


def test_unknown_scope_is_an_error(throttle):
    with pytest.raises(KeyError):
        throttle.hit("nonsense", KEY)


def test_throttles_do_not_share_counters():
    rates = {"login": Rate.parse("1/minute")}
    one, other = Throttle(rates), Throttle(rates)
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


# count: requests in fixed windows

DAILY = Rate.parse("3/day")


def test_counted_requests_within_the_rate_are_allowed(throttle):
    decisions = [throttle.count("anon", DAILY, KEY) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    assert {d.limit for d in decisions} == {3}


def test_a_counted_request_over_the_rate_is_refused(throttle):
    for _ in range(3):
        throttle.count("anon", DAILY, KEY)
    decision = throttle.count("anon", DAILY, KEY)
    assert not decision.allowed
    assert decision.remaining == 0


def test_the_window_ends_within_one_period(throttle):
    decision = throttle.count("anon", DAILY, KEY)
    assert time.time() < decision.reset <= time.time() + 24 * 3600
    assert decision.retry_after == math.ceil(decision.reset - time.time())


def test_one_window_has_one_end(throttle):
    assert len({throttle.count("anon", DAILY, KEY).reset for _ in range(3)}) == 1


def test_keys_have_windows_of_their_own(throttle):
    """Callers refused together do not all come back at the same second."""
    ends = {throttle.count("anon", DAILY, key_of(f"192.0.2.{n}")).reset % (24 * 3600) for n in range(10)}
    assert len(ends) == 10


def test_counted_keys_and_scopes_are_apart(throttle):
    for _ in range(3):
        throttle.count("anon", DAILY, KEY)
    assert throttle.count("anon", DAILY, OTHER).allowed
    assert throttle.count("documents.anon", DAILY, KEY).allowed


def test_another_rate_counts_afresh(throttle):
    for _ in range(3):
        throttle.count("anon", DAILY, KEY)
    assert throttle.count("anon", Rate.parse("5/day"), KEY).remaining == 4


def test_reset_forgets_every_counter(throttle):
    for _ in range(3):
        throttle.count("anon", DAILY, KEY)
        throttle.hit("login", KEY)
        throttle.attempt("login", KEY)
    throttle.reset()
    assert throttle.count("anon", DAILY, KEY).remaining == 2
    assert throttle.hit("login", KEY).remaining == 2
    assert throttle.attempt("login", KEY).decision.remaining == 2


# attempt: password checks, counted before they are made


def test_attempts_within_the_rate_are_allowed(throttle):
    decisions = [throttle.attempt("login", KEY).decision for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]


def test_an_attempt_past_the_rate_is_refused_and_not_counted(throttle):
    attempts = [throttle.attempt("login", KEY) for _ in range(3)]
    for _ in range(3):
        assert not throttle.attempt("login", KEY).decision.allowed
    throttle.refund(attempts[0])
    assert throttle.attempt("login", KEY).decision.allowed


def test_the_window_of_attempts_opens_at_the_first(throttle):
    first = throttle.attempt("login", KEY).decision
    assert 59 < first.reset - time.time() <= 60
    throttle.attempt("login", KEY)
    throttle.attempt("login", KEY)
    refused = throttle.attempt("login", KEY).decision
    assert refused.reset == pytest.approx(first.reset, abs=1)
    assert 0 < refused.retry_after <= 60


def test_a_refund_gives_back_one_attempt(throttle):
    attempts = [throttle.attempt("login", KEY) for _ in range(2)]
    throttle.refund(attempts[1])
    assert throttle.attempt("login", KEY).decision.remaining == 1


def test_clear_forgets_every_attempt(throttle):
    for _ in range(3):
        throttle.attempt("login", KEY)
    throttle.clear("login", KEY)
    assert throttle.attempt("login", KEY).decision.remaining == 2


def test_attempts_of_keys_and_scopes_are_counted_apart(throttle):
    for _ in range(3):
        throttle.attempt("login", KEY)
    assert throttle.attempt("login", OTHER).decision.allowed
    assert throttle.attempt("signup", KEY).decision.allowed


def test_attempts_and_hits_are_counted_apart(throttle):
    for _ in range(3):
        throttle.attempt("login", KEY)
    assert throttle.hit("login", KEY).remaining == 2


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def storage(request) -> ThrottleStorage:
    """Counters in this process, or in a real Redis (emptied first)."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    storage = ThrottleStorage(url)
    storage.reset()
    return storage


def test_concurrent_attempts_never_exceed_the_rate(storage):
    """However many guesses arrive at once, the increment is the test: only the rate's worth pass."""
    throttle = Throttle({"login": Rate.parse("5/hour")}, storage)
    start = threading.Barrier(40)

    def guess(_: int) -> bool:
        start.wait()
        return throttle.attempt("login", KEY).decision.allowed

    with ThreadPoolExecutor(max_workers=40) as pool:
        allowed = list(pool.map(guess, range(40)))
    assert allowed.count(True) == 5
    assert not throttle.attempt("login", KEY).decision.allowed


def test_concurrent_refused_attempts_leave_the_count_as_it_was(storage):
    throttle = Throttle({"login": Rate.parse("5/hour")}, storage)
    attempts = [throttle.attempt("login", KEY) for _ in range(5)]
    start = threading.Barrier(20)

    def guess(_: int) -> bool:
        start.wait()
        return throttle.attempt("login", KEY).decision.allowed

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert not any(pool.map(guess, range(20)))
    throttle.refund(attempts[0])
    assert throttle.attempt("login", KEY).decision.remaining == 0


# client_key: IPv4 by address, IPv6 by /64


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("2001:db8:1:2::7", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:0DB8:0001:0002:0000:0000:0000:0007", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("fe80::1%eth0", "fe80::/64"),
        ("", ""),
        ("not:an address", "not:an address"),
    ],
)
def test_client_key(address, key):
    assert client_key(address) == key


def test_ipv6_neighbours_share_a_key_and_other_networks_do_not():
    assert client_key("2001:db8:1:2::7") == client_key("2001:db8:1:2:a:b:c:d")
    assert client_key("2001:db8:1:2::7") != client_key("2001:db8:1:3::7")
    assert client_key("192.0.2.10") != client_key("192.0.2.11")


# Device cookies

ADA, BOB = "ada-id", "bob-id"


@pytest.fixture
def devices() -> DeviceCookies:
    return DeviceCookies("a secret of at least thirty-two characters", secure=True)


def test_a_device_cookie_names_its_account_and_a_nonce(devices):
    value = devices.value_for(ADA)
    nonce = devices.nonce(value, ADA)
    assert nonce
    assert nonce != devices.nonce(devices.value_for(ADA), ADA)


def test_a_device_cookie_gives_nothing_for_another_account(devices):
    assert devices.nonce(devices.value_for(BOB), ADA) is None


def test_a_device_cookie_signed_with_another_secret_gives_nothing(devices):
    other = DeviceCookies("another secret of thirty-two characters", secure=True)
    assert devices.nonce(other.value_for(ADA), ADA) is None


def test_a_tampered_device_cookie_gives_nothing(devices):
    value = devices.value_for(ADA)
    for index in (0, len(value) // 2, len(value) - 5):
        changed = "A" if value[index] != "A" else "B"
        assert devices.nonce(value[:index] + changed + value[index + 1 :], ADA) is None


@pytest.mark.parametrize("value", ["", "garbage", "!!!", "é", "a.b.c"])
def test_a_value_that_is_no_device_cookie_gives_nothing(devices, value):
    assert devices.nonce(value, ADA) is None


# ThrottleStorage: Redis that does not answer


@pytest.fixture
def unreachable() -> ThrottleStorage:
    """Counters in a Redis where nothing listens."""
    return ThrottleStorage(f"redis://127.0.0.1:{free_port()}/0")


def test_without_redis_counters_are_in_memory():
    storage = ThrottleStorage()
    assert storage.shared is storage.local
    assert storage.works()


def test_counting_goes_on_in_memory_while_redis_does_not_answer(unreachable, caplog):
    throttle = Throttle({"login": Rate.parse("3/minute")}, unreachable)
    decisions = [throttle.count("anon", DAILY, KEY) for _ in range(4)]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert not decisions[-1].allowed
    assert throttle.hit("login", KEY).remaining == 2
    [warning] = [record for record in caplog.records if record.name == "backrest.throttle.storage"]
    assert warning.levelname == "WARNING"
    assert "until Redis answers again" in warning.getMessage()


def test_redis_that_does_not_answer_does_not_work(unreachable):
    assert not unreachable.works()


def test_reset_without_redis_forgets_the_counters_in_memory(unreachable):
    throttle = Throttle({}, unreachable)
    throttle.count("anon", DAILY, KEY)
    throttle.reset()
    assert throttle.count("anon", DAILY, KEY).remaining == 2


# RequestRates

SETTINGS = {
    "backrest.throttle.anon": Rate.parse("60/hour"),
    "backrest.throttle.user": Rate.parse("2000/hour"),
}
COLLECTIONS = ("documents", "files")


def rates(**settings: object) -> RequestRates:
    return RequestRates({**SETTINGS, **settings}, COLLECTIONS)


def test_each_kind_of_caller_has_its_scope():
    assert rates().scope("anon", None) == Scope("anon", Rate.parse("60/hour"))
    assert rates().scope("user", "documents") == Scope("user", Rate.parse("2000/hour"))


def test_a_collection_may_have_a_scope_of_its_own():
    request_rates = rates(**{"backrest.throttle.documents.user": "100/minute"})
    assert request_rates.scope("user", "documents") == Scope("documents.user", Rate.parse("100/minute"))
    assert request_rates.scope("anon", "documents") == Scope("anon", Rate.parse("60/hour"))
    assert request_rates.scope("user", "files") == Scope("user", Rate.parse("2000/hour"))


def test_an_empty_collection_rate_lifts_the_limit_there():
    request_rates = rates(**{"backrest.throttle.documents.anon": ""})
    assert request_rates.scope("anon", "documents") is None
    assert request_rates.scope("anon", None) is not None


def test_empty_rates_limit_nothing():
    assert not rates(**{"backrest.throttle.anon": None, "backrest.throttle.user": None})
    assert rates(
        **{
            "backrest.throttle.anon": None,
            "backrest.throttle.user": None,
            "backrest.throttle.files.user": "1/day",
        }
    )


def test_a_collection_rate_comes_from_the_environment_too(monkeypatch):
    monkeypatch.setenv("BACKREST_THROTTLE_FILES_ANON", "9/day")
    assert rates().scope("anon", "files") == Scope("files.anon", Rate.parse("9/day"))


def test_a_bad_collection_rate_names_its_setting():
    with pytest.raises(ValueError, match=r"^setting backrest\.throttle\.files\.anon: must be one rate"):
        rates(**{"backrest.throttle.files.anon": "9/fortnight"})


def test_a_rate_for_a_collection_that_does_not_exist_stops_the_start():
    with pytest.raises(
        ValueError, match=r"^setting backrest\.throttle\.documnets\.user: there is no content type"
    ):
        rates(**{"backrest.throttle.documnets.user": "1/day"})


# Which requests count, and in which collection


@pytest.mark.parametrize(
    ("path", "collection"),
    [
        ("/-/documents/", "documents"),
        ("/-/documents", "documents"),
        ("/-/documents/abc", "documents"),
        ("/-/files/abc/data", "files"),
        ("/-/", None),
        ("/-/login", None),
        ("/documents/", None),
        ("/-/documentsx/", None),
    ],
)
def test_collection_of_a_path(path, collection):
    assert collection_of(path, COLLECTIONS) == collection


@pytest.mark.parametrize(
    ("method", "path", "headers", "counted"),
    [
        ("GET", "/-/documents/", {}, True),
        ("GET", "/-/heartbeat", {}, False),
        ("GET", "/-/heartbeat/", {}, False),
        ("GET", "/-/version", {}, True),
        ("OPTIONS", "/-/documents/", {}, True),
        (
            "OPTIONS",
            "/-/documents/",
            {"Origin": "https://x.example", "Access-Control-Request-Method": "POST"},
            False,
        ),
    ],
)
def test_which_requests_are_counted(method, path, headers, counted):
    assert is_counted(Request.blank(path, method=method, headers=headers)) is counted
