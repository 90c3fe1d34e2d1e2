"""Sections 3 and 11: the ACL rows of a collection and of its objects, one test each.

Collection: admins may do everything; everyone may list; the type's
``creators`` may create (members for documents, admins for announcements).
Object: admins may do everything; the owner may view, edit and delete;
everyone may view a public object; nobody else may do anything, and an
object one may not view does not exist (404) while one that may be viewed
but not changed is 403 (401 for anonymous callers).
"""

import pytest

from backrest.accounts.models import User
from backrest.teams.models import TeamGrant, TeamMember
from tests.conftest import error_fields
from tests.functional.content.conftest import document, url_of

WRITES = ("put_json", "patch_json", "delete")


def write(browser, method, url, **kwargs):
    """PUT, PATCH (a harmless change) or DELETE ``url``."""
    if method == "delete":
        return browser.delete(url, **kwargs)
    return getattr(browser, method)(url, {"title": "Changed"}, **kwargs)


# The collection.


def test_anonymous_may_list(anonymous):
    anonymous.get("/-/documents/", status=200)


def test_anonymous_may_not_create(anonymous):
    response = anonymous.post_json("/-/documents/", {"title": "x"}, status=401)
    assert response.headers["WWW-Authenticate"]
    assert error_fields(response) == [("header", "Authorization")]


def test_member_may_create(logged_in):
    logged_in.post_json("/-/documents/", {"title": "x"}, status=201)


def test_admin_may_create(admin):
    admin.post_json("/-/documents/", {"title": "x"}, status=201)


def test_member_may_not_create_where_only_admins_create(logged_in):
    response = logged_in.post_json("/-/announcements/", {"title": "x"}, status=403)
    assert response.json["status"] == "error"


def test_anonymous_may_not_create_where_only_admins_create(anonymous):
    anonymous.post_json("/-/announcements/", {"title": "x"}, status=401)


def test_admin_may_create_where_only_admins_create(admin):
    admin.post_json("/-/announcements/", {"title": "x"}, status=201)


def test_member_may_read_what_only_admins_create_once_public(admin, logged_in):
    created = admin.post_json("/-/announcements/", {"title": "x", "public": True}).json
    logged_in.get(url_of(created), status=200)


# An object and its owner.


def test_owner_may_view_a_private_object(logged_in):
    logged_in.get(url_of(document(logged_in)), status=200)


@pytest.mark.parametrize("method", ["put_json", "patch_json"])
def test_owner_may_edit(logged_in, method):
    write(logged_in, method, url_of(document(logged_in)), status=200)


def test_owner_may_delete(logged_in):
    write(logged_in, "delete", url_of(document(logged_in)), status=204)


def test_owner_may_make_an_object_public(logged_in, other):
    created = document(logged_in)
    logged_in.patch_json(url_of(created), {"public": True}, status=200)
    other.get(url_of(created), status=200)


def test_owner_may_make_an_object_private_again(logged_in, other):
    created = document(logged_in, public=True)
    logged_in.patch_json(url_of(created), {"public": False}, status=200)
    other.get(url_of(created), status=404)


# Admins.


def test_admin_may_view_a_private_object_of_others(logged_in, admin):
    admin.get(url_of(document(logged_in)), status=200)


@pytest.mark.parametrize("method", ["put_json", "patch_json"])
def test_admin_may_edit_an_object_of_others(logged_in, admin, method):
    write(admin, method, url_of(document(logged_in)), status=200)


def test_admin_edit_keeps_the_owner(logged_in, admin):
    updated = admin.patch_json(url_of(document(logged_in)), {"title": "x"}).json
    assert updated["__meta__"]["owner"] == logged_in.user_id


def test_admin_may_delete_an_object_of_others(logged_in, admin):
    write(admin, "delete", url_of(document(logged_in)), status=204)


# Other members and anonymous callers.


def test_other_member_may_not_see_a_private_object(logged_in, other):
    other.get(url_of(document(logged_in)), status=404)


@pytest.mark.parametrize("method", WRITES)
def test_other_member_may_not_change_a_private_object_it_cannot_see(logged_in, other, method):
    created = document(logged_in)
    write(other, method, url_of(created), status=404)
    assert logged_in.get(url_of(created)).json == created


def test_anonymous_may_not_see_a_private_object(logged_in, anonymous):
    anonymous.get(url_of(document(logged_in)), status=404)


@pytest.mark.parametrize("method", WRITES)
def test_anonymous_may_not_change_a_private_object_it_cannot_see(logged_in, anonymous, method):
    write(anonymous, method, url_of(document(logged_in)), status=404)


def test_other_member_may_view_a_public_object(logged_in, other):
    other.get(url_of(document(logged_in, public=True)), status=200)


@pytest.mark.parametrize("method", WRITES)
def test_other_member_may_not_change_a_public_object(logged_in, other, method):
    created = document(logged_in, public=True)
    response = write(other, method, url_of(created), status=403)
    assert error_fields(response) == [("request", "permission")]
    assert logged_in.get(url_of(created)).json == created


def test_other_member_may_not_make_an_object_private(logged_in, other):
    created = document(logged_in, public=True)
    other.patch_json(url_of(created), {"public": False}, status=403)
    assert logged_in.get(url_of(created)).json["public"] is True


def test_anonymous_may_view_a_public_object(logged_in, anonymous):
    anonymous.get(url_of(document(logged_in, public=True)), status=200)


@pytest.mark.parametrize("method", WRITES)
def test_anonymous_may_not_change_a_public_object(logged_in, anonymous, method):
    response = write(anonymous, method, url_of(document(logged_in, public=True)), status=401)
    assert response.headers["WWW-Authenticate"]


# Objects without an owner (their account was deleted).


def test_ownerless_private_object_is_seen_by_admins_only(documents, admin, logged_in):
    [ownerless] = documents(1)
    admin.get(f"/-/documents/{ownerless}", status=200)
    logged_in.get(f"/-/documents/{ownerless}", status=404)


def test_ownerless_public_object_is_seen_by_everyone(documents, anonymous):
    [ownerless] = documents(1, public=True)
    anonymous.get(f"/-/documents/{ownerless}", status=200)


def test_deleting_the_owners_account_leaves_an_ownerless_object(logged_in, admin, dbsession):
    created = document(logged_in)
    dbsession.delete(dbsession.get(User, logged_in.user_id))
    dbsession.commit()
    assert admin.get(url_of(created)).json["__meta__"]["owner"] is None


# No existence leak: an id that does not exist and one that may not be seen.


@pytest.mark.parametrize("method", ["get", "put_json", "patch_json", "delete", "options"])
def test_unknown_and_invisible_ids_answer_the_same_404(logged_in, other, method):
    invisible = url_of(document(logged_in))
    unknown = "/-/documents/" + "A" * 22

    def call(url):
        if method in ("get", "options"):
            return getattr(other, method)(url, status=404)
        return write(other, method, url, status=404)

    assert call(invisible).json == call(unknown).json


# Lists hold what the caller may see, filtered in the query.

OBJECTS = ("ada-private", "ada-public", "bob-private", "bob-public", "nobody-private", "nobody-public")
VISIBLE = {
    "anonymous": {"ada-public", "bob-public", "nobody-public"},
    "ada": {"ada-private", "ada-public", "bob-public", "nobody-public"},
    "bob": {"bob-private", "bob-public", "ada-public", "nobody-public"},
    "admin": set(OBJECTS),
}


@pytest.fixture
def callers(anonymous, logged_in, other, admin):
    return {"anonymous": anonymous, "ada": logged_in, "bob": other, "admin": admin}


@pytest.fixture
def every_kind_of_object(callers, documents):
    ids = {}
    for name in OBJECTS:
        owner, _, kind = name.partition("-")
        [ids[name]] = documents(1, owner=callers.get(owner), title=name, public=kind == "public")
    return ids


@pytest.mark.parametrize("caller", sorted(VISIBLE))
def test_list_holds_exactly_what_the_caller_may_view(callers, every_kind_of_object, caller):
    page = callers[caller].get("/-/documents/").json
    assert {result["title"] for result in page["results"]} == VISIBLE[caller]
    assert page["count"] == len(VISIBLE[caller])


@pytest.mark.parametrize("caller", sorted(VISIBLE))
def test_list_and_object_acl_agree(callers, every_kind_of_object, caller):
    browser = callers[caller]
    listed = {result["__meta__"]["id"] for result in browser.get("/-/documents/").json["results"]}
    readable = {
        one
        for one in every_kind_of_object.values()
        if browser.get(f"/-/documents/{one}", expect_errors=True).status_int == 200
    }
    assert listed == readable


def test_count_is_right_for_the_caller_on_every_page(callers, every_kind_of_object):
    pages = [
        callers["ada"].get("/-/documents/", {"page_size": 1, "page": page}).json for page in (1, 2, 3, 4)
    ]
    assert [page["count"] for page in pages] == [4] * 4
    assert pages[-1]["next"] is None


# Publishing: the owner's act, not an editor's.


@pytest.fixture
def editor(other, admin, dbsession):
    """bob@example.com, in a team that may edit every document."""
    team = admin.post_json("/-/teams/", {"name": "Editors"}, status=201).json
    bob = dbsession.query(User).filter_by(email="bob@example.com").one()
    dbsession.add_all(
        [
            TeamMember(team_id=team["__meta__"]["id"], user_id=bob.id),
            *(
                TeamGrant(team_id=team["__meta__"]["id"], permission=f"documents.{what}")
                for what in ("view", "edit")
            ),
        ]
    )
    dbsession.commit()
    return other


@pytest.mark.parametrize("public", [True, False])
def test_an_editor_may_not_publish_or_unpublish(logged_in, editor, public):
    url = url_of(document(logged_in, public=not public))
    response = editor.patch_json(url, {"public": public}, status=403)
    assert error_fields(response) == [("body", "public")]
    assert logged_in.get(url).json["public"] is (not public)


def test_an_editor_may_send_back_the_same_public_flag(logged_in, editor):
    url = url_of(document(logged_in, public=True))
    editor.patch_json(url, {"title": "Edited", "public": True}, status=200)


def test_the_owner_may_publish(logged_in):
    url = url_of(document(logged_in))
    assert logged_in.patch_json(url, {"public": True}).json["public"] is True
