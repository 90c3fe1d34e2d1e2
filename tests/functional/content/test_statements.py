"""Section 4: what a read costs in SQL statements, whatever the page and the collection size.

One statement finds the caller's session (and user); an item is one more; a
list page is one more, its count and validators riding on the page's statement
(an empty first page asks for its validators apart). Nothing is loaded object
by object.
"""

import pytest

from tests.functional.content.conftest import document, url_of


def run(statements, call):
    """The statements ``call`` runs."""
    statements.clear()
    call()
    return list(statements)


def test_item_read_is_at_most_two_statements(logged_in, statements):
    url = url_of(document(logged_in))
    assert len(run(statements, lambda: logged_in.get(url))) <= 2


def test_item_read_answered_304_is_at_most_two_statements(logged_in, statements):
    url = url_of(document(logged_in))
    etag = logged_in.get(url).headers["ETag"]
    executed = run(statements, lambda: logged_in.get(url, headers={"If-None-Match": etag}, status=304))
    assert len(executed) <= 2


def test_anonymous_item_read_is_one_statement(logged_in, anonymous, statements):
    url = url_of(document(logged_in, public=True))
    assert len(run(statements, lambda: anonymous.get(url))) == 1


def test_list_page_is_at_most_two_statements(logged_in, documents, statements):
    documents(30, owner=logged_in)
    assert len(run(statements, lambda: logged_in.get("/-/documents/"))) <= 2


def test_filtered_searched_ordered_list_page_is_at_most_two_statements(logged_in, documents, statements):
    documents(30, owner=logged_in, status="published")
    query = "/-/documents/?status__in=draft,published&search=Document&ordering=-title&page=2&page_size=10"
    assert len(run(statements, lambda: logged_in.get(query))) <= 2


def test_an_empty_list_is_at_most_three_statements_and_still_dated(logged_in, documents, statements):
    [made] = documents(1, owner=logged_in, status="draft")
    answer = logged_in.get("/-/documents/?status=published")
    assert answer.json["count"] == 0
    assert len(run(statements, lambda: logged_in.get("/-/documents/?status=published"))) <= 3
    assert answer.headers["Last-Modified"] == logged_in.get(f"/-/documents/{made}").headers["Last-Modified"]


@pytest.mark.parametrize("caller", ["anonymous", "logged_in", "admin"])
def test_list_statements_do_not_grow_with_the_page_size(request, documents, statements, caller):
    browser = request.getfixturevalue(caller)
    documents(60, owner=None if caller == "anonymous" else browser, public=True)
    small = run(statements, lambda: browser.get("/-/documents/?page_size=5"))
    large = run(statements, lambda: browser.get("/-/documents/?page_size=50"))
    assert len(large) == len(small)
    assert len(browser.get("/-/documents/?page_size=50").json["results"]) == 50


def test_without_a_replica_a_write_costs_no_statement_for_its_position(logged_in, statements):
    """No ``backrest.db.replica_url``: no position is asked for, sent or set in a cookie."""
    response = logged_in.post_json("/-/documents/", {"title": "A title"}, status=201)
    assert not [statement for statement in statements if "wal_lsn" in statement]
    assert "X-Backrest-Position" not in response.headers
    assert "backrest_position" not in response.headers.get("Set-Cookie", "")
