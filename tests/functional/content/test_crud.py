"""Section 3: the calls of a content type, on ``/-/documents/`` and the toys."""

import re

from sqlalchemy import func, select

from backrest.types.documents import Document
from tests.conftest import error_fields
from tests.functional.content.conftest import document, url_of


def test_list_answers_a_page(anonymous):
    assert anonymous.get("/-/documents/").json == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_answers_without_the_trailing_slash_too(anonymous):
    assert anonymous.get("/-/documents").json["count"] == 0


def test_create_answers_201(logged_in):
    logged_in.post_json("/-/documents/", {"title": "Minutes"}, status=201)


def test_create_answers_the_new_representation(logged_in):
    created = logged_in.post_json("/-/documents/", {"title": "Minutes", "tags": ["a"]}).json
    assert (created["title"], created["tags"], created["status"]) == ("Minutes", ["a"], "draft")
    assert created["__meta__"]["id"]


def test_create_answers_the_absolute_location_of_the_new_object(logged_in):
    response = logged_in.post_json("/-/documents/", {"title": "Minutes"}, status=201)
    assert response.location == response.json["__meta__"]["url"]
    assert response.location == f"http://localhost/-/documents/{response.json['__meta__']['id']}"


def test_create_answers_the_etag_a_read_gives(logged_in):
    response = logged_in.post_json("/-/documents/", {"title": "Minutes"}, status=201)
    assert response.headers["ETag"] == logged_in.get(response.location).headers["ETag"]


def test_created_object_is_stored(logged_in, dbsession):
    created = document(logged_in, "Minutes")
    assert dbsession.get(Document, created["__meta__"]["id"]).title == "Minutes"


def test_created_object_is_listed(logged_in):
    created = document(logged_in, "Minutes")
    assert logged_in.get("/-/documents/").json["results"] == [created]


def test_ids_are_opaque_and_url_safe(logged_in):
    ids = [document(logged_in)["__meta__"]["id"] for _ in range(3)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", one) for one in ids)
    assert len(set(ids)) == 3


def test_read_answers_the_representation(logged_in):
    created = document(logged_in, "Minutes")
    assert logged_in.get(url_of(created)).json == created


def test_read_answers_etag_and_last_modified(logged_in):
    response = logged_in.get(url_of(document(logged_in)))
    assert response.headers["ETag"]
    assert response.last_modified is not None


def test_read_answers_with_a_trailing_slash_too(logged_in):
    created = document(logged_in)
    assert logged_in.get(url_of(created) + "/").json == created


def test_read_of_an_unknown_id_is_404_in_the_error_shape(anonymous):
    response = anonymous.get("/-/documents/" + "x" * 22, status=404)
    assert response.json["status"] == "error"


def test_put_answers_the_updated_representation(logged_in):
    created = document(logged_in, "Minutes")
    updated = logged_in.put_json(url_of(created), {"title": "Agenda"}).json
    assert updated["title"] == "Agenda"
    assert updated["__meta__"]["id"] == created["__meta__"]["id"]


def test_put_answers_the_new_etag(logged_in):
    created = document(logged_in)
    old = logged_in.get(url_of(created)).headers["ETag"]
    response = logged_in.put_json(url_of(created), {"title": "Agenda"})
    assert response.headers["ETag"] != old
    assert response.headers["ETag"] == logged_in.get(url_of(created)).headers["ETag"]


def test_put_changes_only_the_keys_given(logged_in):
    created = document(logged_in, "Minutes", body="Text", tags=["a"], status="published")
    updated = logged_in.put_json(url_of(created), {"title": "Agenda"}).json
    assert (updated["body"], updated["tags"], updated["status"]) == ("Text", ["a"], "published")


def test_put_is_stored(logged_in, dbsession):
    created = document(logged_in)
    logged_in.put_json(url_of(created), {"title": "Agenda"})
    assert dbsession.get(Document, created["__meta__"]["id"]).title == "Agenda"


def test_patch_does_the_same_as_put(logged_in):
    created = document(logged_in, "Minutes", body="Text")
    updated = logged_in.patch_json(url_of(created), {"title": "Agenda"}).json
    assert (updated["title"], updated["body"]) == ("Agenda", "Text")
    assert logged_in.get(url_of(created)).json == updated


def test_empty_update_changes_nothing(logged_in):
    created = document(logged_in)
    assert logged_in.patch_json(url_of(created), {}).json == created


def test_nested_object_updates_as_a_subtree(logged_in):
    created = document(logged_in, attributes={"color": "red", "language": "en"})
    updated = logged_in.patch_json(url_of(created), {"attributes": {"color": "blue"}}).json
    assert updated["attributes"] == {"color": "blue", "language": "en"}


def test_deeply_nested_object_updates_as_a_subtree(logged_in):
    recipe = {"name": "Soup", "servings": 2, "details": {"cuisine": "fr", "time": {"prep": 10, "cook": 20}}}
    created = logged_in.post_json("/-/recipes/", recipe, status=201).json
    updated = logged_in.patch_json(url_of(created), {"details": {"time": {"cook": 45}}}).json
    assert updated["details"] == {"cuisine": "fr", "time": {"prep": 10, "cook": 45}}


def test_list_value_is_replaced_as_a_whole(logged_in):
    created = document(logged_in, tags=["a", "b"])
    assert logged_in.patch_json(url_of(created), {"tags": ["c"]}).json["tags"] == ["c"]


def test_delete_answers_204_with_no_body(logged_in):
    response = logged_in.delete(url_of(document(logged_in)), status=204)
    assert response.body == b""


def test_deleted_object_is_gone(logged_in, dbsession):
    created = document(logged_in)
    logged_in.delete(url_of(created), status=204)
    logged_in.get(url_of(created), status=404)
    assert dbsession.scalar(select(func.count()).select_from(Document)) == 0


def test_deleted_object_cannot_be_deleted_again(logged_in):
    created = document(logged_in)
    logged_in.delete(url_of(created), status=204)
    logged_in.delete(url_of(created), status=404)


def test_put_on_the_collection_is_405_with_allow(logged_in):
    response = logged_in.put_json("/-/documents/", {"title": "x"}, status=405)
    assert "GET" in response.headers["Allow"]
    assert "PUT" not in response.headers["Allow"]
    assert error_fields(response) == [("request", "method_not_allowed")]


def test_post_on_an_item_is_405_with_allow(logged_in):
    response = logged_in.post_json(url_of(document(logged_in)), {"title": "x"}, status=405)
    assert "PUT" in response.headers["Allow"]
    assert "POST" not in response.headers["Allow"]


def test_failed_create_stores_nothing(logged_in, dbsession):
    logged_in.post_json("/-/documents/", {"title": ""}, status=400)
    assert dbsession.scalar(select(func.count()).select_from(Document)) == 0
