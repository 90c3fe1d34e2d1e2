import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyramid.request import Request
from pyramid.response import Response

from backrest.tweens.proxy import apply_forwarded, client_address, is_trusted
from tests.unit.tweens.edge import edge

PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8:ffff::/48")]
NGINX = "10.0.0.2"
CLIENT = "203.0.113.7"


# is_trusted


@pytest.mark.parametrize("address", ["10.0.0.1", "10.255.255.255", " 10.1.2.3 ", "2001:db8:ffff::1"])
def test_addresses_in_the_networks_are_trusted(address):
    assert is_trusted(address, PROXIES)


@pytest.mark.parametrize(
    "address", ["11.0.0.1", "203.0.113.7", "2001:db8:fffe::1", "", "unknown", "10.0.0.1:8080", "10.0.0.0/8"]
)
def test_other_addresses_and_garbage_are_not_trusted(address):
    assert not is_trusted(address, PROXIES)


def test_nothing_is_trusted_without_networks():
    assert not is_trusted("127.0.0.1", [])


# client_address


def test_untrusted_peer_is_the_client_whatever_it_claims():
    assert client_address(CLIENT, "198.51.100.1", PROXIES) == CLIENT


def test_trusted_proxy_names_the_client():
    assert client_address(NGINX, CLIENT, PROXIES) == CLIENT


def test_spoofed_hops_left_of_the_real_client_are_ignored():
    """nginx appends the address it saw; what the client sent stays on the left."""
    assert client_address(NGINX, f"1.1.1.1, 8.8.8.8, {CLIENT}", PROXIES) == CLIENT


def test_chain_of_trusted_proxies_is_skipped():
    assert client_address(NGINX, f"1.1.1.1, {CLIENT}, 10.0.0.9, 10.0.0.3", PROXIES) == CLIENT


def test_untrusted_proxy_in_the_chain_is_the_client():
    """Nothing left of an untrusted hop can be believed."""
    assert client_address(NGINX, f"{CLIENT}, 198.51.100.50, 10.0.0.3", PROXIES) == "198.51.100.50"


def test_only_trusted_hops_give_the_leftmost():
    assert client_address(NGINX, "10.0.0.7, 10.0.0.3", PROXIES) == "10.0.0.7"


@pytest.mark.parametrize("header", ["", " ", ",", " , ,, "])
def test_empty_header_leaves_the_peer(header):
    assert client_address(NGINX, header, PROXIES) == NGINX


def test_hops_are_stripped_and_empty_hops_skipped():
    assert client_address(NGINX, f" ,{CLIENT} ,, 10.0.0.3 ,", PROXIES) == CLIENT


def test_ipv6_client():
    assert client_address("2001:db8:ffff::2", "2001:db8:1::5", PROXIES) == "2001:db8:1::5"


IPV4 = st.ip_addresses(v=4).map(str)
TRUSTED = st.integers(0, 2**24 - 1).map(lambda n: str(ipaddress.ip_address(0x0A000000 + n)))
UNTRUSTED = IPV4.filter(lambda address: not address.startswith("10."))
GARBAGE = st.text(alphabet=st.characters(exclude_characters=","), max_size=12)
HOP = st.one_of(TRUSTED, UNTRUSTED, GARBAGE)


@given(remote=st.one_of(TRUSTED, UNTRUSTED, GARBAGE), hops=st.lists(HOP, max_size=8))
def test_client_is_the_peer_or_one_of_the_hops(remote, hops):
    result = client_address(remote, ", ".join(hops), PROXIES)
    assert result == remote or result in [hop.strip() for hop in hops]


@given(remote=st.one_of(UNTRUSTED, GARBAGE), hops=st.lists(HOP, max_size=8))
def test_untrusted_peer_cannot_choose_its_address(remote, hops):
    assert client_address(remote, ", ".join(hops), PROXIES) == remote


@given(
    remote=TRUSTED,
    left=st.lists(HOP, max_size=4),
    untrusted=UNTRUSTED,
    right=st.lists(TRUSTED, max_size=4),
)
def test_never_a_trusted_proxy_when_an_untrusted_hop_exists(remote, left, untrusted, right):
    hops = [*left, untrusted, *right]
    result = client_address(remote, ",".join(hops), PROXIES)
    assert not is_trusted(result, PROXIES)
    assert result == untrusted  # the rightmost untrusted hop


# apply_forwarded and the tween


def forwarded_request(remote: str, **headers: str) -> Request:
    request = Request.blank("/-/login", headers={"Host": "internal.example", **headers})
    request.environ["REMOTE_ADDR"] = remote
    return request


def test_trusted_proxy_sets_address_scheme_host_and_prefix():
    request = forwarded_request(
        NGINX,
        **{
            "X-Forwarded-For": f"1.1.1.1, {CLIENT}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "api.example",
            "X-Forwarded-Prefix": "/backend/",
        },
    )
    apply_forwarded(request, PROXIES)
    assert request.remote_addr == CLIENT
    assert request.scheme == "https"
    assert request.host == "api.example"
    assert request.application_url == "https://api.example/backend"
    assert request.path_info == "/-/login"


def test_untrusted_peer_headers_are_ignored():
    request = forwarded_request(
        CLIENT,
        **{
            "X-Forwarded-For": "1.1.1.1",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Prefix": "/evil",
        },
    )
    apply_forwarded(request, PROXIES)
    assert request.remote_addr == CLIENT
    assert request.application_url == "http://internal.example"


@pytest.mark.parametrize("proto", ["ftp", "javascript", "HTTPS ", ""])
def test_unknown_scheme_is_ignored(proto):
    request = forwarded_request(NGINX, **{"X-Forwarded-Proto": proto})
    apply_forwarded(request, PROXIES)
    assert request.scheme == "http"


def test_first_of_several_forwarded_values_is_used():
    request = forwarded_request(
        NGINX, **{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "api.example, inner.local"}
    )
    apply_forwarded(request, PROXIES)
    assert request.application_url == "https://api.example"


@pytest.mark.parametrize("prefix", ["backend", "https://evil.example/x"])
def test_prefix_must_be_a_path(prefix):
    request = forwarded_request(NGINX, **{"X-Forwarded-Prefix": prefix})
    apply_forwarded(request, PROXIES)
    assert request.script_name == ""


def make_tween(trusted: str):
    seen = []

    def handler(request):
        seen.append((request.remote_addr, request.application_url))
        return Response()

    return edge(handler, trusted_proxies=[ipaddress.ip_network(n) for n in trusted.split()]), seen


def test_tween_applies_headers_from_trusted_proxies():
    tween, seen = make_tween("10.0.0.0/8")
    tween(forwarded_request(NGINX, **{"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"}))
    assert seen == [(CLIENT, "https://internal.example")]


def test_tween_without_trusted_proxies_believes_nobody():
    tween, seen = make_tween("")
    tween(forwarded_request(NGINX, **{"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"}))
    assert seen == [(NGINX, "http://internal.example")]


def test_tween_leaves_no_forwarded_for_to_be_believed_later():
    """WebOb's ``request.client_addr`` reads X-Forwarded-For itself, from anyone."""
    tween, _ = make_tween("")
    request = forwarded_request(CLIENT, **{"X-Forwarded-For": "6.6.6.6"})
    tween(request)
    assert request.client_addr == CLIENT


def test_tween_behind_a_proxy_gives_client_addr_the_judged_address():
    tween, _ = make_tween("10.0.0.0/8")
    request = forwarded_request(NGINX, **{"X-Forwarded-For": f"6.6.6.6, {CLIENT}"})
    tween(request)
    assert request.client_addr == CLIENT
