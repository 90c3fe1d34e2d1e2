"""Positions in PostgreSQL's text form, as the header and the cookie carry them."""

from __future__ import annotations

import pytest
from pyramid.testing import DummyRequest

from backrest.replicas.positions import COOKIE, HEADER, format_position, of_request, parse


@pytest.mark.parametrize(
    ("text", "offset"),
    [("0/0", 0), ("0/3000F28", 0x3000F28), ("16/B374D848", 0x16_B374_D848), ("FFFFFFFF/FFFFFFFF", 2**64 - 1)],
)
def test_a_position_is_read_and_written_as_postgresql_does(text, offset):
    assert parse(text) == offset
    assert format_position(offset) == text


@pytest.mark.parametrize("text", [None, "", "0/", "/1", "1/2/3", "123456789/0", "0/G", "-1/0"])
def test_anything_else_is_no_position(text):
    assert parse(text) is None


def test_lower_case_and_spaces_around_are_read():
    assert parse(" 16/b374d848 ") == 0x16_B374_D848


def test_a_request_carries_the_further_of_its_header_and_its_cookie():
    request = DummyRequest(headers={HEADER: "0/200"}, cookies={COOKIE: "0/100"})
    assert of_request(request) == 0x200
    request = DummyRequest(headers={HEADER: "nonsense"}, cookies={COOKIE: "0/100"})
    assert of_request(request) == 0x100
    assert of_request(DummyRequest()) is None
