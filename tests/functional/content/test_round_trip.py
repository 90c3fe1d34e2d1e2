"""Section 3 in every format of section 6: a representation sent back as it came changes nothing.

An object is created from a generated document (every kind of value the
content types hold: texts, integers, booleans, choices, lists, nested and
empty objects, null), fetched in a format, and PUT back in that format: the
write succeeds, and the object's representation and ETag are as before. A
form has no answer format of its own: it sends the representation written
as form fields by the rules of section 6
(:func:`~backrest.formats.forms.encode_form`, as the browsable page writes
its inputs), urlencoded or multipart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from backrest.formats.forms import encode_form
from backrest.types.documents import STATUSES
from tests.functional.content.conftest import url_of
from tests.testapp.models import DIFFICULTIES, folders

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from tests.client import Browser

FOLDERS = ("inbox", "work")
# What the schemas take as text (no NUL, no lone surrogates) and XML 1.0 can
# carry (other control characters become U+FFFD, see docs/api/formats.rst).
CHARACTERS = st.characters(
    exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
) | st.sampled_from("\t\n\r")


def text(min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(CHARACTERS, min_size=min_size, max_size=max_size)


OBJECTS = st.one_of(
    st.tuples(
        st.just("documents"),
        st.fixed_dictionaries(
            {
                "title": text(),
                "body": text(0),
                "status": st.sampled_from(STATUSES),
                "tags": st.lists(text(max_size=8), max_size=3),
                "attributes": st.fixed_dictionaries(
                    {}, optional={"language": text(), "color": text(), "priority": st.integers(0, 5)}
                ),
                "public": st.booleans(),
            }
        ),
    ),
    st.tuples(
        st.just("recipes"),
        st.fixed_dictionaries(
            {
                "name": text(),
                "servings": st.integers(1, 12),
                "difficulty": st.sampled_from(DIFFICULTIES),
                "vegetarian": st.booleans(),
                "details": st.fixed_dictionaries(
                    {},
                    optional={
                        "cuisine": text(0),
                        "time": st.fixed_dictionaries(
                            {}, optional={"prep": st.integers(0, 600), "cook": st.integers(0, 600)}
                        ),
                    },
                ),
                "public": st.booleans(),
            }
        ),
    ),
    st.tuples(
        st.just("tallies"),
        st.fixed_dictionaries({"name": text(), "count": st.integers(0, 10**6), "public": st.booleans()}),
    ),
    st.tuples(
        st.just("bookmarks"),
        st.fixed_dictionaries(
            {"url": text(), "folder": st.none() | st.sampled_from(FOLDERS), "public": st.booleans()}
        ),
    ),
)


Body = bytes | list[tuple[str, str]]


def as_json(browser: Browser, url: str) -> tuple[Body, str]:
    return browser.get(url).body, "application/json"


def as_xml(browser: Browser, url: str) -> tuple[Body, str]:
    return browser.get(url, headers={"Accept": "application/xml"}).body, "application/xml"


# WebTest writes the fields in the body type given.
def as_urlencoded(browser: Browser, url: str) -> tuple[Body, str]:
    return encode_form(browser.get(url).json), "application/x-www-form-urlencoded"


def as_multipart(browser: Browser, url: str) -> tuple[Body, str]:
    return encode_form(browser.get(url).json), "multipart/form-data"


@pytest.fixture
def folders_exist(dbsession: Session) -> None:
    """The folders that bookmarks may name (checked by a foreign key)."""
    dbsession.execute(insert(folders), [{"name": name} for name in FOLDERS])
    dbsession.commit()


@pytest.mark.usefixtures("folders_exist")
@pytest.mark.parametrize("fetch", [as_json, as_xml, as_urlencoded, as_multipart])
# Each example makes three requests, on each database: a modest count.
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind_and_fields=OBJECTS)
def test_a_representation_sent_back_changes_nothing(
    logged_in: Browser, fetch: Callable[[Browser, str], tuple[Body, str]], kind_and_fields: tuple[str, Any]
) -> None:
    kind, fields = kind_and_fields
    before = logged_in.post_json(f"/-/{kind}/", fields, status=201)
    url = url_of(before.json)
    body, content_type = fetch(logged_in, url)
    # The answer comes once the transaction has committed: it is what was stored.
    after = logged_in.put(url, body, content_type=content_type, status=200)
    assert after.json == before.json
    assert after.headers["ETag"] == before.headers["ETag"]


@pytest.mark.usefixtures("folders_exist")
@pytest.mark.parametrize(
    ("body", "content_type"),
    [('{"folder": null}', "application/json"), ('<root><folder type="null"/></root>', "application/xml")],
)
def test_null_clears_a_nullable_field(logged_in: Browser, body: str, content_type: str) -> None:
    url = url_of(logged_in.post_json("/-/bookmarks/", {"url": "u", "folder": "inbox"}, status=201).json)
    assert logged_in.put(url, body, content_type=content_type).json["folder"] is None
    assert logged_in.get(url).json["folder"] is None
