"""Client filenames and media types, made safe."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backrest.files.names import allowed, content_disposition, media_type, safe_filename


@given(st.text())
def test_a_safe_filename_is_never_a_path(name):
    safe = safe_filename(name)
    assert safe
    assert "/" not in safe
    assert "\\" not in safe
    assert safe not in {".", ".."}
    assert not safe.startswith(".")
    assert len(safe) <= 255
    assert all(ord(char) >= 32 for char in safe)


@given(st.text())
def test_content_disposition_is_one_header_line_of_ascii(name):
    header = content_disposition(safe_filename(name), "text/plain")
    assert header.isascii()
    assert "\r" not in header
    assert "\n" not in header
    assert header.count('"') == 2


def test_the_exact_name_travels_percent_encoded():
    header = content_disposition('naïve "quotes" \\ 東京.pdf', "application/pdf")
    assert header == (
        'attachment; filename="naive _quotes_ _ .pdf"; '
        "filename*=UTF-8''na%C3%AFve%20%22quotes%22%20%5C%20%E6%9D%B1%E4%BA%AC.pdf"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "application/octet-stream"),
        ("", "application/octet-stream"),
        ("Image/PNG", "image/png"),
        ("text/plain; charset=latin-1", "text/plain"),
        ("application/vnd.api+json", "application/vnd.api+json"),
        ("text", None),
        ("text/plain\r\nX-Injected: 1", None),
        ("a b/c", None),
    ],
)
def test_media_types(value, expected):
    assert media_type(value) == expected


@pytest.mark.parametrize(
    ("content_type", "patterns", "expected"),
    [
        ("image/png", [], True),
        ("image/png", ["image/*"], True),
        ("image/png", ["IMAGE/PNG"], True),
        ("image/png", ["image/jpeg", "application/pdf"], False),
        ("text/html", ["*/*"], True),
    ],
)
def test_the_allow_list(content_type, patterns, expected):
    assert allowed(content_type, patterns) is expected
