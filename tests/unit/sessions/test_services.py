import ipaddress
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrest.db import utcnow
from backrest.sessions.models import UserSession
from backrest.sessions.services import SessionService, truncated_ip


@pytest.mark.parametrize(
    ("address", "truncated"),
    [
        ("192.0.2.10", "192.0.2.0"),
        ("192.0.2.255", "192.0.2.0"),
        ("10.1.2.3", "10.1.2.0"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::"),
        ("2001:db8:1234:ffff:ffff:ffff:ffff:ffff", "2001:db8:1234::"),
        ("::1", "::"),
    ],
)
def test_address_is_truncated(address, truncated):
    assert truncated_ip(address) == truncated


@pytest.mark.parametrize("garbage", ["", "unknown", "192.0.2", "192.0.2.10:443", " 192.0.2.10", "[::1]"])
def test_garbage_gives_an_empty_address(garbage):
    assert truncated_ip(garbage) == ""


@given(st.ip_addresses(v=4))
def test_ipv4_keeps_24_bits(ip):
    truncated = ipaddress.ip_address(truncated_ip(str(ip)))
    assert truncated in ipaddress.ip_network(f"{ip}/24", strict=False)
    assert int(truncated) & 0xFF == 0


@given(st.ip_addresses(v=6).filter(lambda ip: ip.ipv4_mapped is None))
def test_ipv6_keeps_48_bits(ip):
    truncated = ipaddress.ip_address(truncated_ip(str(ip)))
    assert truncated in ipaddress.ip_network(f"{ip}/48", strict=False)
    assert int(truncated) & (2**80 - 1) == 0


@given(st.ip_addresses(v=4))
def test_ipv4_mapped_ipv6_is_truncated_as_ipv4(ip):
    assert truncated_ip(f"::ffff:{ip}") == truncated_ip(str(ip))


@given(st.text(max_size=50))
def test_never_raises(text):
    truncated_ip(text)


# Expiry


@pytest.fixture
def service() -> SessionService:
    settings = {"backrest.session.idle_timeout": 3600, "backrest.session.absolute_timeout": 86400}
    return SessionService(None, settings)


def session(created_ago: timedelta, seen_ago: timedelta) -> UserSession:
    now = utcnow()
    return UserSession(created=now - created_ago, last_seen=now - seen_ago)


def test_fresh_session_is_live(service):
    assert not service.expired(session(timedelta(0), timedelta(0)), utcnow())


def test_idle_session_expires(service):
    assert service.expired(session(timedelta(hours=2), timedelta(hours=1, seconds=1)), utcnow())


def test_active_session_expires_at_the_absolute_timeout(service):
    assert not service.expired(session(timedelta(hours=23), timedelta(minutes=1)), utcnow())
    assert service.expired(session(timedelta(hours=24, seconds=1), timedelta(minutes=1)), utcnow())
