"""Section 5: ETags and Last-Modified, 304s, and If-Match (412, 428)."""

from email.utils import parsedate_to_datetime

import pytest

from tests.client import Browser
from tests.conftest import error_fields
from tests.functional.content.conftest import document, log_in, url_of

WRITES = ("put_json", "patch_json", "delete")


def write(browser, method, url, **kwargs):
    if method == "delete":
        return browser.delete(url, **kwargs)
    return getattr(browser, method)(url, {"title": "Changed"}, **kwargs)


# Items.


def test_item_etag_is_strong_and_quoted(logged_in):
    etag = logged_in.get(url_of(document(logged_in))).headers["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')


def test_item_etag_changes_with_every_modification(logged_in):
    url = url_of(document(logged_in))
    etags = [logged_in.get(url).headers["ETag"]]
    for title in ("Two", "Three"):
        logged_in.patch_json(url, {"title": title})
        etags.append(logged_in.get(url).headers["ETag"])
    assert len(set(etags)) == 3


def test_item_etag_changes_when_only_public_changes(logged_in):
    url = url_of(document(logged_in))
    before = logged_in.get(url).headers["ETag"]
    logged_in.patch_json(url, {"public": True})
    assert logged_in.get(url).headers["ETag"] != before


def test_item_etag_differs_between_callers_who_may_do_different_things(logged_in, other):
    url = url_of(document(logged_in, public=True))
    assert logged_in.get(url).headers["ETag"] != other.get(url).headers["ETag"]


@pytest.mark.parametrize("path", ["{url}", "/-/documents/"])
def test_each_representation_has_its_own_etag(logged_in, path):
    url = path.format(url=url_of(document(logged_in)))
    tags = {
        logged_in.get(url, headers={"Accept": accept}).headers["ETag"]
        for accept in ("application/json", "application/xml", "text/html")
    }
    assert len(tags) == 3


@pytest.mark.parametrize("path", ["{url}", "/-/documents/"])
def test_if_none_match_of_another_representation_is_200(logged_in, path):
    url = path.format(url=url_of(document(logged_in)))
    json_tag = logged_in.get(url).headers["ETag"]
    response = logged_in.get(url, headers={"Accept": "application/xml", "If-None-Match": json_tag})
    assert response.status_code == 200
    assert response.content_type == "application/xml"


@pytest.mark.parametrize("method", WRITES)
def test_if_match_with_the_etag_of_another_representation_writes(logged_in, method):
    url = url_of(document(logged_in))
    xml_tag = logged_in.get(url, headers={"Accept": "application/xml"}).headers["ETag"]
    write(logged_in, method, url, headers={"If-Match": xml_tag}, status=(200, 204))


def test_write_answers_the_etag_of_the_representation_it_sends(logged_in):
    url = url_of(document(logged_in))
    written = logged_in.patch_json(url, {"title": "Two"}, headers={"Accept": "application/xml"})
    assert (
        written.headers["ETag"] == logged_in.get(url, headers={"Accept": "application/xml"}).headers["ETag"]
    )
    assert written.headers["ETag"] != logged_in.get(url).headers["ETag"]


def test_item_last_modified_is_when_it_was_modified(logged_in):
    created = document(logged_in)
    response = logged_in.get(url_of(created))
    assert response.last_modified.isoformat()[:19] == created["__meta__"]["modified"][:19]


def test_item_last_modified_moves_with_an_update(logged_in, backdate):
    url = url_of(document(logged_in))
    backdate()
    before = logged_in.get(url).last_modified
    logged_in.patch_json(url, {"title": "Two"})
    assert logged_in.get(url).last_modified > before


def test_item_answers_are_private_and_revalidated(logged_in):
    response = logged_in.get(url_of(document(logged_in)))
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response.headers["Vary"]


def test_if_none_match_with_the_current_etag_is_304_without_a_body(logged_in):
    url = url_of(document(logged_in))
    etag = logged_in.get(url).headers["ETag"]
    response = logged_in.get(url, headers={"If-None-Match": etag}, status=304)
    assert response.body == b""
    assert response.headers["ETag"] == etag


def test_if_none_match_star_is_304(logged_in):
    logged_in.get(url_of(document(logged_in)), headers={"If-None-Match": "*"}, status=304)


def test_if_none_match_among_several_etags_is_304(logged_in):
    url = url_of(document(logged_in))
    etag = logged_in.get(url).headers["ETag"]
    logged_in.get(url, headers={"If-None-Match": f'"stale", {etag}'}, status=304)


def test_if_none_match_with_the_weak_form_of_the_etag_is_304(logged_in):
    # If-None-Match compares weakly (RFC 9110): a proxy may have weakened the tag.
    url = url_of(document(logged_in))
    etag = logged_in.get(url).headers["ETag"]
    logged_in.get(url, headers={"If-None-Match": f"W/{etag}"}, status=304)


def test_if_none_match_with_a_stale_etag_is_200(logged_in):
    url = url_of(document(logged_in))
    etag = logged_in.get(url).headers["ETag"]
    logged_in.patch_json(url, {"title": "Two"})
    assert logged_in.get(url, headers={"If-None-Match": etag}, status=200).json["title"] == "Two"


def test_if_modified_since_not_modified_is_304(logged_in):
    url = url_of(document(logged_in))
    last_modified = logged_in.get(url).headers["Last-Modified"]
    logged_in.get(url, headers={"If-Modified-Since": last_modified}, status=304)


def test_if_modified_since_modified_later_is_200(logged_in, backdate):
    url = url_of(document(logged_in))
    backdate()
    last_modified = logged_in.get(url).headers["Last-Modified"]
    logged_in.patch_json(url, {"title": "Two"})
    logged_in.get(url, headers={"If-Modified-Since": last_modified}, status=200)


# Lists.


def test_list_has_an_etag_and_last_modified(logged_in):
    document(logged_in)
    response = logged_in.get("/-/documents/")
    assert response.headers["ETag"].startswith('"')
    assert response.last_modified is not None


def test_list_if_none_match_is_304_without_a_body(logged_in):
    document(logged_in)
    etag = logged_in.get("/-/documents/").headers["ETag"]
    response = logged_in.get("/-/documents/", headers={"If-None-Match": etag}, status=304)
    assert response.body == b""
    assert response.headers["X-Page-Generated"]


def test_list_etag_depends_on_the_query(logged_in):
    document(logged_in)
    assert (
        logged_in.get("/-/documents/").headers["ETag"]
        != logged_in.get("/-/documents/?ordering=title").headers["ETag"]
    )


def test_list_etag_changes_when_an_object_in_it_changes(logged_in):
    created = document(logged_in)
    before = logged_in.get("/-/documents/").headers["ETag"]
    logged_in.patch_json(url_of(created), {"title": "Two"})
    assert logged_in.get("/-/documents/").headers["ETag"] != before


def test_list_etag_changes_when_an_object_is_created(logged_in):
    document(logged_in)
    before = logged_in.get("/-/documents/").headers["ETag"]
    document(logged_in)
    assert logged_in.get("/-/documents/").headers["ETag"] != before


def test_list_etag_changes_when_an_object_is_deleted(logged_in):
    document(logged_in)
    created = document(logged_in)
    before = logged_in.get("/-/documents/").headers["ETag"]
    logged_in.delete(url_of(created))
    assert logged_in.get("/-/documents/").headers["ETag"] != before


def test_list_if_modified_since_unchanged_is_304(logged_in):
    document(logged_in)
    last_modified = logged_in.get("/-/documents/").headers["Last-Modified"]
    logged_in.get("/-/documents/", headers={"If-Modified-Since": last_modified}, status=304)


def test_list_if_modified_since_after_a_change_is_200(logged_in, backdate):
    created = document(logged_in)
    backdate()
    last_modified = logged_in.get("/-/documents/").headers["Last-Modified"]
    logged_in.patch_json(url_of(created), {"title": "Two"})
    logged_in.get("/-/documents/", headers={"If-Modified-Since": last_modified}, status=200)


def test_list_last_modified_moves_with_a_deletion(logged_in, backdate):
    document(logged_in)
    created = document(logged_in)
    backdate()
    before = logged_in.get("/-/documents/").last_modified
    logged_in.delete(url_of(created))
    assert logged_in.get("/-/documents/").last_modified > before


def test_list_if_modified_since_after_a_deletion_is_200(logged_in, backdate):
    document(logged_in)
    created = document(logged_in)
    backdate()
    last_modified = logged_in.get("/-/documents/").headers["Last-Modified"]
    logged_in.delete(url_of(created))
    logged_in.get("/-/documents/", headers={"If-Modified-Since": last_modified}, status=200)


def test_list_if_modified_since_after_an_object_left_the_filter_is_200(logged_in, backdate):
    document(logged_in, "Stays")
    leaves = document(logged_in, "Leaves")
    backdate()
    last_modified = logged_in.get("/-/documents/?status=draft").headers["Last-Modified"]
    logged_in.patch_json(url_of(leaves), {"status": "published"})
    response = logged_in.get(
        "/-/documents/?status=draft", headers={"If-Modified-Since": last_modified}, status=200
    )
    assert [result["title"] for result in response.json["results"]] == ["Stays"]


def test_list_if_modified_since_after_a_change_on_a_later_page_is_200(logged_in, backdate):
    document(logged_in, "a")
    document(logged_in, "b")
    backdate()
    last_modified = logged_in.get("/-/documents/?ordering=title&page_size=1").headers["Last-Modified"]
    document(logged_in, "c")
    response = logged_in.get(
        "/-/documents/?ordering=title&page_size=1", headers={"If-Modified-Since": last_modified}, status=200
    )
    assert response.json["count"] == 3


def test_list_last_modified_ignores_changes_the_caller_cannot_see(logged_in, other, backdate):
    document(logged_in)
    theirs = document(other)
    backdate()
    before = logged_in.get("/-/documents/").headers["Last-Modified"]
    other.patch_json(url_of(theirs), {"title": "Secret"})
    other.delete(url_of(document(other)))
    assert logged_in.get("/-/documents/").headers["Last-Modified"] == before


def test_list_last_modified_moves_when_a_public_object_of_another_changes(logged_in, other, backdate):
    theirs = document(other, public=True)
    backdate()
    before = logged_in.get("/-/documents/").last_modified
    other.patch_json(url_of(theirs), {"title": "Edited"})
    assert logged_in.get("/-/documents/").last_modified > before


@pytest.mark.parametrize("leaves", ["unshared", "deleted"])
def test_list_if_modified_since_after_a_public_object_left_is_200(logged_in, other, backdate, leaves):
    document(logged_in)
    theirs = document(other, public=True)
    backdate()
    last_modified = logged_in.get("/-/documents/").headers["Last-Modified"]
    if leaves == "unshared":
        other.patch_json(url_of(theirs), {"public": False})
    else:
        other.delete(url_of(theirs))
    response = logged_in.get("/-/documents/", headers={"If-Modified-Since": last_modified}, status=200)
    assert response.json["count"] == 1


def test_anonymous_list_last_modified_moves_when_an_object_is_unshared(logged_in, anonymous, backdate):
    shared = document(logged_in, public=True)
    backdate()
    last_modified = anonymous.get("/-/documents/").headers["Last-Modified"]
    logged_in.patch_json(url_of(shared), {"public": False})
    response = anonymous.get("/-/documents/", headers={"If-Modified-Since": last_modified}, status=200)
    assert response.json["count"] == 0


def test_admin_list_last_modified_moves_with_any_change(admin, other, backdate):
    theirs = document(other)
    backdate()
    last_modified = admin.get("/-/documents/").headers["Last-Modified"]
    other.delete(url_of(theirs))
    admin.get("/-/documents/", headers={"If-Modified-Since": last_modified}, status=200)


# If-Match.


@pytest.mark.parametrize("method", WRITES)
def test_if_match_with_the_current_etag_writes(logged_in, method):
    url = url_of(document(logged_in))
    etag = logged_in.get(url).headers["ETag"]
    assert write(logged_in, method, url, headers={"If-Match": etag}).status_int in (200, 204)


@pytest.mark.parametrize("method", WRITES)
def test_if_match_star_writes(logged_in, method):
    url = url_of(document(logged_in))
    assert write(logged_in, method, url, headers={"If-Match": "*"}).status_int in (200, 204)


@pytest.mark.parametrize("method", WRITES)
def test_if_match_with_a_stale_etag_is_412(logged_in, method):
    url = url_of(document(logged_in))
    stale = logged_in.get(url).headers["ETag"]
    logged_in.patch_json(url, {"title": "Two"})
    response = write(logged_in, method, url, headers={"If-Match": stale}, status=412)
    assert error_fields(response) == [("header", "If-Match")]


@pytest.mark.parametrize("method", WRITES)
def test_if_match_with_a_stale_etag_changes_nothing(logged_in, method):
    url = url_of(document(logged_in))
    stale = logged_in.get(url).headers["ETag"]
    current = logged_in.patch_json(url, {"title": "Two"}).json
    write(logged_in, method, url, headers={"If-Match": stale}, status=412)
    assert logged_in.get(url).json == current


def test_if_match_among_several_etags_writes(logged_in):
    url = url_of(document(logged_in))
    etag = logged_in.get(url).headers["ETag"]
    logged_in.patch_json(url, {"title": "Two"}, headers={"If-Match": f'"stale", {etag}'}, status=200)


@pytest.fixture
def strict(app_with, logged_in):
    """Ada, logged in on an application that requires If-Match."""
    app = app_with(**{"backrest.require_if_match": "true"})
    return log_in(Browser(app, extra_environ={"REMOTE_ADDR": "192.0.2.11"}), "ada@example.com")


@pytest.mark.parametrize("method", WRITES)
def test_if_match_required_and_missing_is_428(strict, method):
    url = url_of(document(strict))
    response = write(strict, method, url, status=428)
    assert error_fields(response) == [("header", "If-Match")]


@pytest.mark.parametrize("method", WRITES)
def test_if_match_required_and_missing_changes_nothing(strict, method):
    created = document(strict)
    write(strict, method, url_of(created), status=428)
    assert strict.get(url_of(created)).json == created


@pytest.mark.parametrize("method", WRITES)
def test_if_match_required_and_given_writes(strict, method):
    url = url_of(document(strict))
    etag = strict.get(url).headers["ETag"]
    assert write(strict, method, url, headers={"If-Match": etag}).status_int in (200, 204)


def test_if_match_required_and_stale_is_still_412(strict):
    url = url_of(document(strict))
    stale = strict.get(url).headers["ETag"]
    strict.patch_json(url, {"title": "Two"}, headers={"If-Match": stale})
    strict.patch_json(url, {"title": "Three"}, headers={"If-Match": stale}, status=412)


def test_if_match_is_not_required_to_create(strict):
    strict.post_json("/-/documents/", {"title": "x"}, status=201)


@pytest.mark.parametrize("conditional", [False, True])
def test_an_item_answer_and_its_304_carry_each_header_once(logged_in, conditional):
    url = url_of(document(logged_in))
    headers = {"If-None-Match": logged_in.get(url).headers["ETag"]} if conditional else {}
    response = logged_in.get(url, headers=headers, status=304 if conditional else 200)
    for name in ("ETag", "Cache-Control", "Last-Modified", "Vary", "X-RateLimit-Limit", "X-Request-Id"):
        assert len(response.headers.getall(name)) == 1, name
    assert {part.strip() for part in response.headers["Vary"].split(",")} >= {
        "Accept",
        "Authorization",
        "Cookie",
        "Origin",
    }
    assert parsedate_to_datetime(response.headers["Last-Modified"]).tzinfo is not None
