"""Section 3: the representation, designed to be posted back; ``__meta__``."""

import re

from tests.client import Browser
from tests.functional.content.conftest import document, url_of

TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"


def test_representation_is_the_model_fields_public_and_meta(logged_in):
    created = document(logged_in)
    assert set(created) == {"title", "body", "status", "tags", "attributes", "public", "__meta__"}


def test_meta_holds_the_read_only_metadata(logged_in):
    meta = document(logged_in)["__meta__"]
    assert set(meta) == {"id", "url", "created", "modified", "owner", "version", "permissions"}


def test_meta_url_is_the_absolute_url_of_the_object(logged_in):
    created = document(logged_in)
    assert created["__meta__"]["url"] == f"http://localhost/-/documents/{created['__meta__']['id']}"


def test_meta_url_follows_the_host_and_scheme_of_the_request(logged_in, anonymous):
    created = document(logged_in, public=True)
    environ = {"HTTP_HOST": "api.example.com", "wsgi.url_scheme": "https"}
    read = anonymous.get(url_of(created), extra_environ=environ).json
    assert read["__meta__"]["url"] == f"https://api.example.com/-/documents/{created['__meta__']['id']}"


def test_meta_owner_is_the_creator(logged_in):
    assert document(logged_in)["__meta__"]["owner"] == logged_in.user_id


def test_meta_timestamps_are_utc_with_z(logged_in):
    meta = document(logged_in)["__meta__"]
    assert re.fullmatch(TIMESTAMP, meta["created"])
    assert re.fullmatch(TIMESTAMP, meta["modified"])


def test_version_starts_at_1(logged_in):
    assert document(logged_in)["__meta__"]["version"] == 1


def test_version_grows_by_one_with_each_update(logged_in):
    created = document(logged_in)
    logged_in.patch_json(url_of(created), {"title": "Two"})
    assert logged_in.patch_json(url_of(created), {"title": "Three"}).json["__meta__"]["version"] == 3


def test_update_moves_modified_but_not_created(logged_in):
    before = document(logged_in)["__meta__"]
    after = logged_in.patch_json(before["url"], {"title": "Two"}).json["__meta__"]
    assert after["created"] == before["created"]
    assert after["modified"] > before["modified"]


def test_objects_are_private_unless_made_public(logged_in):
    assert document(logged_in)["public"] is False
    assert document(logged_in, public=True)["public"] is True


def test_get_then_put_of_the_same_document_succeeds(logged_in):
    created = document(logged_in, tags=["a"], attributes={"color": "red"})
    read = logged_in.get(url_of(created)).json
    assert logged_in.put_json(url_of(created), read, status=200).json == read


def test_get_then_put_of_the_same_document_changes_nothing(logged_in):
    created = document(logged_in, tags=["a"], attributes={"color": "red"})
    read = logged_in.get(url_of(created))
    response = logged_in.put_json(url_of(created), read.json)
    assert response.headers["ETag"] == read.headers["ETag"]
    assert logged_in.get(url_of(created)).json["__meta__"] == read.json["__meta__"]


def test_meta_sent_on_create_is_ignored(logged_in):
    forged = {"id": "forged", "owner": "eve", "version": 7, "created": "2000-01-01T00:00:00Z"}
    meta = logged_in.post_json("/-/documents/", {"title": "x", "__meta__": forged}, status=201).json[
        "__meta__"
    ]
    assert (meta["owner"], meta["version"]) == (logged_in.user_id, 1)
    assert meta["id"] != "forged"
    assert not meta["created"].startswith("2000")


def test_meta_sent_on_update_is_ignored(logged_in, other):
    created = document(logged_in)
    forged = {**created["__meta__"], "owner": other.user_id, "version": 9, "id": "forged"}
    updated = logged_in.put_json(url_of(created), {"__meta__": forged}).json
    assert updated["__meta__"]["owner"] == logged_in.user_id
    assert updated["__meta__"]["id"] == created["__meta__"]["id"]
    assert updated["__meta__"]["version"] == 1


def test_unknown_keys_are_ignored(logged_in):
    created = logged_in.post_json("/-/documents/", {"title": "x", "colour": "blue"}, status=201).json
    assert "colour" not in created
    assert "colour" not in logged_in.patch_json(url_of(created), {"colour": "red"}).json


def test_list_results_are_the_representations_of_the_items(logged_in):
    created = document(logged_in, public=True)
    assert logged_in.get("/-/documents/").json["results"] == [logged_in.get(url_of(created)).json]


def test_owner_may_view_edit_and_delete(logged_in):
    assert document(logged_in)["__meta__"]["permissions"] == ["view", "edit", "delete"]


def test_admin_may_view_edit_and_delete_what_others_own(logged_in, admin):
    created = document(logged_in)
    assert admin.get(url_of(created)).json["__meta__"]["permissions"] == ["view", "edit", "delete"]


def test_other_user_may_only_view_a_public_object(logged_in, other):
    created = document(logged_in, public=True)
    assert other.get(url_of(created)).json["__meta__"]["permissions"] == ["view"]


def test_anonymous_may_only_view_a_public_object(logged_in, anonymous):
    created = document(logged_in, public=True)
    assert anonymous.get(url_of(created)).json["__meta__"]["permissions"] == ["view"]


def test_list_shows_each_object_with_the_callers_permissions(logged_in, other):
    document(logged_in, public=True)
    [result] = other.get("/-/documents/").json["results"]
    assert result["__meta__"]["permissions"] == ["view"]


def test_list_gives_each_object_its_own_permissions(logged_in, other):
    for owner, public in (
        (logged_in, True),
        (other, True),
        (other, False),
        (logged_in, False),
        (other, True),
    ):
        document(owner, f"{owner is other} {public}", public=public)
    results = other.get("/-/documents/?ordering=created").json["results"]
    assert [(result["title"], result["__meta__"]["permissions"]) for result in results] == [
        ("False True", ["view"]),
        ("True True", ["view", "edit", "delete"]),
        ("True False", ["view", "edit", "delete"]),
        ("True True", ["view", "edit", "delete"]),
    ]


PROXIED = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_HOST": "api.example.com",
    "HTTP_X_FORWARDED_PREFIX": "/api",
}


def test_urls_follow_a_trusted_proxy(app_with, documents):
    made = documents(3, public=True)[0]
    browser = Browser(app_with(**{"backrest.trusted_proxies": "192.0.2.0/24"}))
    environ = {"REMOTE_ADDR": "192.0.2.1", **PROXIED}
    page = browser.get("/-/documents/?page_size=1", extra_environ=environ).json
    assert page["next"].startswith("https://api.example.com/api/-/documents/?")
    assert all(
        result["__meta__"]["url"].startswith("https://api.example.com/api/-/documents/")
        for result in page["results"]
    )
    item = browser.get(f"/-/documents/{made}", extra_environ=environ).json
    assert item["__meta__"]["url"] == f"https://api.example.com/api/-/documents/{made}"


def test_urls_ignore_an_untrusted_proxy(anonymous, documents):
    [made] = documents(1, public=True)
    item = anonymous.get(f"/-/documents/{made}", extra_environ=PROXIED).json
    assert item["__meta__"]["url"] == f"http://localhost/-/documents/{made}"
