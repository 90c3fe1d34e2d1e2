"""Every request counted against its caller's rate: the headers, the 429, who counts, where counters live.

Rates here are per day: a window ends during a test once in tens of
thousands of runs. Counting does not depend on the database, so these tests
run on SQLite only.
"""

import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from backrest import main
from backrest.accounts.models import User
from backrest.audit.models import AuditEntry
from backrest.throttle.storage import RETRY_DELAY
from tests.client import Browser
from tests.conftest import CLIENT, OTHER_CLIENT, PASSWORD, error_fields
from tests.servers import free_port, redis_server

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
DAY = 24 * 3600
PREFLIGHT = {"Origin": "https://unlisted.example", "Access-Control-Request-Method": "POST"}


class AppsBySettings:
    """Apps built once per module for each set of settings, on the migrated database of ``app``."""

    def __init__(self, settings: dict[str, str]) -> None:
        self.settings = settings
        self.apps: dict[tuple[tuple[str, str], ...], Any] = {}

    def get(self, **overrides: str) -> Any:
        key = tuple(sorted(overrides.items()))
        if key not in self.apps:
            self.apps[key] = main({}, **{**self.settings, "backrest.db.auto_migrate": "false", **overrides})
        return self.apps[key]

    def forget_counts(self) -> None:
        for app in self.apps.values():
            app.registry["throttle"].reset()


@pytest.fixture(scope="module")
def apps(settings, app):
    built = AppsBySettings(settings)
    yield built
    for each in built.apps.values():
        each.registry["db_engine"].dispose()


@pytest.fixture
def limited(apps):
    """``limited(**settings)``: a browser from ``CLIENT`` on an app with these settings; nothing counted."""
    apps.forget_counts()

    def build(**settings: str) -> Browser:
        return Browser(apps.get(**settings), extra_environ=dict(CLIENT))

    return build


@pytest.fixture
def anon3(limited) -> Browser:
    """Three anonymous requests a day."""
    return limited(**{"backrest.throttle.anon": "3/day"})


def remaining(response) -> int:
    return int(response.headers["X-RateLimit-Remaining"])


def use_up(browser: Browser, path: str = "/-/", **kwargs: object) -> None:
    while remaining(browser.get(path, **kwargs)) > 0:
        pass


# The headers


def test_a_counted_response_carries_the_rate_headers(anon3):
    response = anon3.get("/-/")
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "2"
    assert time.time() < int(response.headers["X-RateLimit-Reset"]) <= time.time() + DAY + 1


def test_remaining_goes_down_with_each_request(anon3):
    assert [remaining(anon3.get("/-/version")) for _ in range(3)] == [2, 1, 0]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/-/nothing-here", 404),
        ("DELETE", "/-/", 405),
        ("POST", "/-/signup", 400),
        ("POST", "/-/documents/", 401),
    ],
)
def test_errors_carry_the_rate_headers_too(anon3, method, path, status):
    response = anon3.request(path, method=method, status=status)
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert remaining(response) == 2


def test_the_headers_can_be_read_across_origins(limited):
    browser = limited(**{"backrest.throttle.anon": "3/day", "backrest.cors.origins": "https://app.example"})
    response = browser.get("/-/", headers={"Origin": "https://app.example"})
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert all(name in exposed for name in (*HEADERS, "Retry-After"))


# Too many


def test_a_request_past_the_rate_is_a_429_in_the_error_shape(anon3):
    use_up(anon3)
    response = anon3.get("/-/", status=429)
    assert error_fields(response) == [("request", "too_many_requests")]
    assert response.json["errors"][0]["description"].startswith("Too many requests; try again in ")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_429_says_when_to_come_back(anon3):
    use_up(anon3)
    response = anon3.get("/-/", status=429)
    retry_after = int(response.headers["Retry-After"])
    reset = int(response.headers["X-RateLimit-Reset"])
    assert 0 < retry_after <= DAY
    assert abs(reset - time.time() - retry_after) <= 2
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert remaining(response) == 0


def test_a_refused_request_reaches_no_view(anon3, dbsession):
    use_up(anon3)
    anon3.post_json("/-/signup", {"email": "eve@example.com", "password": PASSWORD}, status=429)
    assert dbsession.scalars(select(User)).all() == []


def test_refusals_go_on_for_the_rest_of_the_window(anon3):
    use_up(anon3)
    for _ in range(3):
        anon3.get("/-/documents/", status=429)


# Who counts: anonymous callers by address


def test_another_address_is_counted_apart(anon3):
    use_up(anon3)
    response = anon3.get("/-/", extra_environ=OTHER_CLIENT)
    assert remaining(response) == 2


def test_x_forwarded_for_from_a_client_is_not_believed(anon3):
    use_up(anon3)
    anon3.get("/-/", headers={"X-Forwarded-For": "203.0.113.9"}, status=429)


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(limited):
    proxy = limited(**{"backrest.throttle.anon": "3/day", "backrest.trusted_proxies": CLIENT["REMOTE_ADDR"]})
    first = {"X-Forwarded-For": "203.0.113.1"}
    use_up(proxy, headers=first)
    proxy.get("/-/", headers=first, status=429)
    assert remaining(proxy.get("/-/", headers={"X-Forwarded-For": "203.0.113.2"})) == 2


# Who counts: authenticated callers by account


@pytest.fixture
def members(limited, signup):
    """An app allowing 3 requests a day to anonymous callers and 5 to each account; Ada signed up."""
    signup()
    return limited(**{"backrest.throttle.anon": "3/day", "backrest.throttle.user": "5/day"})


def test_an_authenticated_caller_counts_against_the_user_rate(members):
    members.login("ada@example.com", PASSWORD)
    response = members.get("/-/documents/")
    assert response.headers["X-RateLimit-Limit"] == "5"
    # The login was anonymous; reading its CSRF token was the account's first request.
    assert remaining(response) == 3


def test_an_account_counts_the_same_from_every_address(members):
    members.login("ada@example.com", PASSWORD)
    members.get("/-/")
    assert remaining(members.get("/-/", extra_environ=OTHER_CLIENT)) == 2


def test_an_account_past_its_rate_is_refused(members):
    members.login("ada@example.com", PASSWORD)
    use_up(members)
    response = members.get("/-/documents/", status=429)
    assert response.headers["X-RateLimit-Limit"] == "5"


def test_accounts_are_counted_apart(members, signup):
    signup("bob@example.com")
    members.login("ada@example.com", PASSWORD)
    use_up(members)
    bob = Browser(members.app, extra_environ=dict(OTHER_CLIENT))
    bob.login("bob@example.com", PASSWORD)
    assert remaining(bob.get("/-/")) == 3


def test_an_account_is_not_refused_for_its_address(members):
    members.login("ada@example.com", PASSWORD)
    anonymous = Browser(members.app, extra_environ=dict(CLIENT))
    use_up(anonymous)
    assert remaining(members.get("/-/")) == 3


def test_bad_credentials_are_counted_as_the_anonymous_client(anon3):
    bad = {"Authorization": "Token not-a-key"}
    response = anon3.get("/-/", headers=bad, status=401)
    assert remaining(response) == 2
    use_up(anon3)
    anon3.get("/-/", headers=bad, status=429)


# Rates of a content type


def test_a_content_type_rate_replaces_the_general_one(limited):
    browser = limited(**{"backrest.throttle.anon": "3/day", "backrest.throttle.documents.anon": "2/day"})
    assert browser.get("/-/documents/").headers["X-RateLimit-Limit"] == "2"
    assert remaining(browser.get("/-/documents")) == 0
    browser.get("/-/documents/abc", status=429)
    assert browser.get("/-/files/").headers["X-RateLimit-Limit"] == "3"
    assert remaining(browser.get("/-/")) == 1


def test_a_content_type_user_rate(limited, signup):
    signup()
    browser = limited(**{"backrest.throttle.documents.user": "2/day"})
    browser.login("ada@example.com", PASSWORD)
    browser.post_json("/-/documents/", {"title": "One"}, status=201)
    assert remaining(browser.get("/-/documents/")) == 0
    browser.post_json("/-/documents/", {"title": "Two"}, status=429)
    assert browser.get("/-/").headers["X-RateLimit-Limit"] == "100000"


def test_an_empty_content_type_rate_lifts_the_limit_there(limited):
    browser = limited(**{"backrest.throttle.anon": "3/day", "backrest.throttle.documents.anon": ""})
    for _ in range(5):
        assert "X-RateLimit-Limit" not in browser.get("/-/documents/").headers
    assert remaining(browser.get("/-/")) == 2


def test_a_content_type_rate_from_the_environment(app_with, monkeypatch):
    monkeypatch.setenv("BACKREST_THROTTLE_FILES_ANON", "1/day")
    browser = Browser(app_with(), extra_environ=dict(CLIENT))
    assert browser.get("/-/files/").headers["X-RateLimit-Limit"] == "1"


def test_empty_rates_count_nothing(limited):
    browser = limited(**{"backrest.throttle.anon": "", "backrest.throttle.user": ""})
    for _ in range(5):
        response = browser.get("/-/")
        assert not any(name in response.headers for name in HEADERS)


# What is not counted


def test_the_heartbeat_is_not_counted(anon3):
    for _ in range(5):
        response = anon3.get("/-/heartbeat")
        assert "X-RateLimit-Limit" not in response.headers
    assert remaining(anon3.get("/-/")) == 2


def test_preflights_are_not_counted(anon3):
    use_up(anon3)
    response = anon3.options("/-/documents/", headers=PREFLIGHT)
    assert "X-RateLimit-Limit" not in response.headers


def test_a_preflight_from_a_listed_origin_is_answered_when_the_caller_is_refused(limited):
    browser = limited(**{"backrest.throttle.anon": "3/day", "backrest.cors.origins": "https://app.example"})
    use_up(browser)
    headers = {**PREFLIGHT, "Origin": "https://app.example"}
    browser.options("/-/documents/", headers=headers, status=204)


def test_options_that_is_not_a_preflight_is_counted(anon3):
    assert remaining(anon3.options("/-/documents/")) == 2


# The brute-force limits


def test_a_login_429_carries_the_headers_of_the_limit_that_refused_it(limited, signup):
    signup()
    browser = limited(**{"backrest.throttle.anon": "100/day", "backrest.throttle.login_failures": "2/hour"})
    for _ in range(2):
        browser.login("ada@example.com", "a wrong guess here", status=400)
    response = browser.login("ada@example.com", PASSWORD, status=429)
    assert error_fields(response) == [("request", "login")]
    assert response.headers["X-RateLimit-Limit"] == "2"
    assert remaining(response) == 0


# IPv6 clients are counted by /64

NEIGHBOURS = ("2001:db8:1:2::7", "2001:db8:1:2:8000::1")
"""Two addresses of one subscriber's /64."""
ELSEWHERE = "2001:db8:1:3::7"


def test_ipv6_neighbours_share_the_anonymous_budget(anon3):
    first, neighbour = ({"REMOTE_ADDR": address} for address in NEIGHBOURS)
    use_up(anon3, extra_environ=first)
    anon3.get("/-/", extra_environ=neighbour, status=429)
    assert remaining(anon3.get("/-/", extra_environ={"REMOTE_ADDR": ELSEWHERE})) == 2


def test_behind_a_trusted_proxy_ipv6_neighbours_share_the_anonymous_budget(limited):
    proxy = limited(**{"backrest.throttle.anon": "3/day", "backrest.trusted_proxies": CLIENT["REMOTE_ADDR"]})
    first, neighbour = ({"X-Forwarded-For": address} for address in NEIGHBOURS)
    use_up(proxy, headers=first)
    proxy.get("/-/", headers=neighbour, status=429)
    assert remaining(proxy.get("/-/", headers={"X-Forwarded-For": ELSEWHERE})) == 2


def test_an_ipv4_client_seen_through_ipv6_is_counted_as_itself(anon3):
    use_up(anon3)
    anon3.get("/-/", extra_environ={"REMOTE_ADDR": f"::ffff:{CLIENT['REMOTE_ADDR']}"}, status=429)


def test_ipv6_neighbours_share_their_failed_logins(limited, signup):
    signup()
    browser = limited(**{"backrest.throttle.login_failures": "2/hour"})
    first, neighbour = ({"REMOTE_ADDR": address} for address in NEIGHBOURS)
    for _ in range(2):
        browser.login("ada@example.com", WRONG, extra_environ=first, status=400)
    browser.login("ada@example.com", PASSWORD, extra_environ=neighbour, status=429)
    browser.login("ada@example.com", PASSWORD, extra_environ={"REMOTE_ADDR": ELSEWHERE}, status=200)


def test_ipv6_neighbours_share_the_signup_budget(limited, mailbox):
    browser = limited(**{"backrest.throttle.signup": "1/hour"})
    first, neighbour = ({"REMOTE_ADDR": address} for address in NEIGHBOURS)
    browser.post_json("/-/signup", {"email": "bob@example.com", "password": PASSWORD}, extra_environ=first)
    body = {"email": "eve@example.com", "password": PASSWORD}
    response = browser.post_json("/-/signup", body, extra_environ=neighbour, status=429)
    assert error_fields(response) == [("request", "signup")]


# Password guesses: a budget per device, per client, and for all other clients per account

GUESSES = {
    "backrest.throttle.login_failures": "2/hour",
    "backrest.throttle.login_account": "3/hour",
    "backrest.throttle.login_device": "3/hour",
}
WRONG = "a wrong guess here"
LAPTOP = "198.51.100.20"
"""Where Ada logs in from, with a device cookie once she has."""
DEVICE = "backrest_device"


@pytest.fixture
def guarded(apps, signup):
    """``guarded(address)``: a browser from ``address`` on an app with the budgets of ``GUESSES``.

    Each client may fail 2 times an hour, each device 3 times, and all
    clients without a device cookie 3 times together. Ada has signed up.
    """
    signup()
    apps.forget_counts()
    app = apps.get(**GUESSES)
    return lambda address: Browser(app, extra_environ={"REMOTE_ADDR": address})


@pytest.fixture
def laptop(guarded) -> Browser:
    """Ada's laptop: it logged in and out, and keeps its device cookie."""
    browser = guarded(LAPTOP)
    browser.login("ada@example.com", PASSWORD, status=200)
    browser.logout()
    assert DEVICE in browser.cookies
    return browser


def spend_the_account_budget(guarded) -> None:
    for number in range(1, 4):
        guarded(f"203.0.113.{number}").login("ada@example.com", WRONG, status=400)


def test_guesses_from_many_addresses_are_refused_once_the_account_budget_is_spent(guarded):
    spend_the_account_budget(guarded)
    newcomer = guarded("203.0.113.50")
    response = newcomer.login("ada@example.com", WRONG, status=429)
    assert error_fields(response) == [("request", "login")]
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert int(response.headers["Retry-After"]) > 3500
    # The price of the bound: a right password from a client without a device cookie waits too.
    newcomer.login("ada@example.com", PASSWORD, status=429)


def test_an_unknown_address_is_counted_like_an_account(guarded):
    for number in range(1, 4):
        guarded(f"203.0.113.{number}").login("nobody@example.com", WRONG, status=400)
    response = guarded("203.0.113.50").login("nobody@example.com", WRONG, status=429)
    assert response.headers["X-RateLimit-Limit"] == "3"


def test_the_owners_device_still_logs_in_when_the_account_budget_is_spent(laptop, guarded):
    spend_the_account_budget(guarded)
    laptop.login("ada@example.com", "a typo in the password", status=400)
    laptop.login("ada@example.com", PASSWORD, status=200)


def test_a_device_has_a_budget_of_its_own(laptop, guarded):
    for _ in range(3):
        laptop.login("ada@example.com", WRONG, status=400)
    response = laptop.login("ada@example.com", PASSWORD, status=429)
    assert response.headers["X-RateLimit-Limit"] == "3"
    # Its failures were its own: other clients still have the account's budget.
    guarded("203.0.113.50").login("ada@example.com", PASSWORD, status=200)


def test_a_tampered_device_cookie_gives_no_trust(laptop, guarded):
    spend_the_account_budget(guarded)
    value = laptop.cookies[DEVICE]
    stranger = guarded("203.0.113.50")
    stranger.set_cookie(DEVICE, value[:10] + ("A" if value[10] != "A" else "B") + value[11:])
    stranger.login("ada@example.com", PASSWORD, status=429)


def test_a_made_up_device_cookie_gives_no_trust(guarded):
    spend_the_account_budget(guarded)
    stranger = guarded("203.0.113.50")
    stranger.set_cookie(DEVICE, "trust-me")
    stranger.login("ada@example.com", PASSWORD, status=429)


def test_a_device_cookie_of_another_account_gives_no_trust(guarded, signup):
    signup("bob@example.com")
    bobs = guarded("203.0.113.50")
    bobs.login("bob@example.com", PASSWORD, status=200)
    spend_the_account_budget(guarded)
    bobs.login("ada@example.com", PASSWORD, status=429)


def test_password_checks_of_a_session_count_against_its_device(laptop):
    laptop.login("ada@example.com", PASSWORD, status=200)
    for _ in range(3):
        laptop.put_json("/-/reauthenticate", {"password": WRONG}, status=400)
    response = laptop.put_json("/-/reauthenticate", {"password": PASSWORD}, status=429)
    assert error_fields(response) == [("request", "password")]


def test_password_checks_of_a_session_without_a_device_cookie_count_against_the_account(laptop, guarded):
    laptop.login("ada@example.com", PASSWORD, status=200)
    [cookie] = [cookie for cookie in laptop.cookiejar if cookie.name == DEVICE]
    laptop.cookiejar.clear(cookie.domain, cookie.path, cookie.name)
    for _ in range(2):
        laptop.put_json("/-/reauthenticate", {"password": WRONG}, status=400)
    laptop.put_json("/-/reauthenticate", {"password": PASSWORD}, status=429)
    guarded("203.0.113.1").login("ada@example.com", WRONG, status=400)
    guarded("203.0.113.50").login("ada@example.com", PASSWORD, status=429)


def test_only_failures_spend_the_account_budget(guarded):
    """A right password is counted before it is checked, like any other, then given back."""
    for number in range(1, 3):
        guarded(f"203.0.113.{number}").login("ada@example.com", WRONG, status=400)
    for number in range(3, 6):
        guarded(f"203.0.113.{number}").login("ada@example.com", PASSWORD, status=200)
    guarded("203.0.113.6").login("ada@example.com", WRONG, status=400)
    guarded("203.0.113.7").login("ada@example.com", PASSWORD, status=429)


def test_a_spent_budget_is_in_the_audit_log(guarded, dbsession):
    spend_the_account_budget(guarded)
    attacker = guarded("203.0.113.1")
    attacker.login("ada@example.com", WRONG, status=429)
    locks = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "login_locked")).all()
    assert [(entry.changes, entry.ip) for entry in locks] == [({"budget": "login_account"}, "203.0.113.3")]


def test_concurrent_guesses_get_no_more_than_the_budget(apps):
    """Checked before the password is: guesses that arrive together cannot all pass a test first."""
    # A slow hash for unknown addresses: every guess is under way when the others arrive.
    app = apps.get(**GUESSES, **{"backrest.password.argon2.time_cost": "100"})
    app.registry["throttle"].reset()
    start = threading.Barrier(6)

    def guess(_: int) -> int:
        browser = Browser(app, extra_environ=dict(CLIENT))
        start.wait()
        return browser.login("nobody@example.com", WRONG, expect_errors=True).status_int

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(guess, range(6)))
    assert statuses == [400, 400, 429, 429, 429, 429]


# Bad settings stop the start


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("backrest.throttle.anon", "lots", "must be one rate like 60/hour"),
        ("backrest.throttle.documents.user", "1/fortnight", "must be one rate like 60/hour"),
        ("backrest.throttle.documnets.user", "1/day", "there is no content type 'documnets'"),
        ("backrest.redis_url", "http://127.0.0.1:6379", "must be a redis://"),
    ],
)
def test_a_bad_setting_stops_the_start(app_with, setting, value, message):
    with pytest.raises(ValueError, match=f"^setting {re.escape(setting)}: {re.escape(message)}"):
        app_with(**{setting: value})


# Redis


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture
def on_redis(app_with, redis_url):
    """``on_redis(**settings)``: another app whose counters are in the shared Redis, emptied first."""

    def build(**settings: str) -> Browser:
        app = app_with(**{"backrest.db.auto_migrate": "false", "backrest.redis_url": redis_url, **settings})
        app.registry["throttle"].reset()
        return Browser(app, extra_environ=dict(CLIENT))

    return build


def test_apps_on_one_redis_share_the_count(on_redis):
    one = on_redis(**{"backrest.throttle.anon": "3/day"})
    other = Browser(on_redis(**{"backrest.throttle.anon": "3/day"}).app, extra_environ=dict(CLIENT))
    assert [remaining(browser.get("/-/")) for browser in (one, other, one)] == [2, 1, 0]
    other.get("/-/", status=429)


def test_apps_on_one_redis_share_the_login_failures(on_redis, signup):
    signup()
    one = on_redis(**{"backrest.throttle.login_failures": "2/hour"})
    other = Browser(
        on_redis(**{"backrest.throttle.login_failures": "2/hour"}).app, extra_environ=dict(CLIENT)
    )
    one.login("ada@example.com", "a wrong guess here", status=400)
    other.login("ada@example.com", "a wrong guess here", status=400)
    one.login("ada@example.com", PASSWORD, status=429)


def test_the_heartbeat_checks_redis(on_redis):
    assert on_redis().get("/-/heartbeat").json["checks"] == {"database": "ok", "files": "ok", "redis": "ok"}


def test_no_redis_is_checked_without_one(anon3):
    assert "redis" not in anon3.get("/-/heartbeat").json["checks"]


@pytest.fixture
def redis_down(app_with):
    """``redis_down(**settings)``: a browser on a new app whose Redis does not answer (nothing listens)."""
    url = f"redis://127.0.0.1:{free_port()}/0"

    def build(**settings: str) -> Browser:
        app = app_with(**{"backrest.db.auto_migrate": "false", "backrest.redis_url": url, **settings})
        return Browser(app, extra_environ=dict(CLIENT))

    return build


def test_without_redis_requests_are_counted_in_the_process(redis_down, caplog):
    browser = redis_down(**{"backrest.throttle.anon": "3/day"})
    assert [remaining(browser.get("/-/")) for _ in range(3)] == [2, 1, 0]
    browser.get("/-/", status=429)
    warnings = [record for record in caplog.records if record.name == "backrest.throttle.storage"]
    assert [record.levelno for record in warnings] == [logging.WARNING]


def test_without_redis_the_brute_force_limits_hold(redis_down, signup):
    signup()
    browser = redis_down()
    for _ in range(5):
        browser.login("ada@example.com", "a wrong guess here", status=400)
    browser.login("ada@example.com", PASSWORD, status=429)


def test_without_redis_the_heartbeat_says_so(redis_down):
    response = redis_down().get("/-/heartbeat", status=503)
    assert error_fields(response) == [("request", "redis")]


def test_counting_returns_to_redis_once_it_answers(redis_down, caplog):
    port = free_port()
    browser = redis_down(
        **{"backrest.throttle.anon": "3/day", "backrest.redis_url": f"redis://127.0.0.1:{port}/0"}
    )
    assert remaining(browser.get("/-/")) == 2
    with redis_server(port) as url:
        time.sleep(RETRY_DELAY + 0.1)
        assert remaining(browser.get("/-/")) == 2  # The first request was counted in memory.
        assert "Redis answers again" in caplog.text
        other = redis_down(**{"backrest.throttle.anon": "3/day", "backrest.redis_url": url})
        assert remaining(other.get("/-/")) == 1
