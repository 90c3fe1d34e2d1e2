"""``documents.set_status`` and ``documents.tag``: many documents in one transaction, all or nothing."""

from __future__ import annotations

from sqlalchemy import select

from backrest.audit.models import AuditEntry
from tests.conftest import error_fields
from tests.functional.content.conftest import document, url_of

SET_STATUS = "/-/api/documents/set_status"
TAG = "/-/api/documents/tag"


def ids(*representations):
    return [made["__meta__"]["id"] for made in representations]


def test_set_status_changes_every_document_and_answers_them(logged_in):
    first, second = document(logged_in, "One"), document(logged_in, "Two")
    answered = logged_in.post_json(SET_STATUS, {"documents": ids(first, second), "status": "archived"}).json
    assert [(made["title"], made["status"]) for made in answered] == [
        ("One", "archived"),
        ("Two", "archived"),
    ]
    assert logged_in.get(url_of(first)).json["status"] == "archived"
    assert answered[0]["__meta__"]["version"] == first["__meta__"]["version"] + 1


def test_each_document_is_audited_as_an_update(logged_in, dbsession):
    first, second = document(logged_in, "One"), document(logged_in, "Two")
    logged_in.post_json(SET_STATUS, {"documents": ids(first, second), "status": "published"})
    updates = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "update")).all()
    assert sorted(entry.object_id for entry in updates) == sorted(ids(first, second))
    assert {tuple(entry.changes["status"]) for entry in updates} == {("draft", "published")}


def test_one_document_the_caller_may_not_edit_refuses_them_all(logged_in, other):
    mine = document(logged_in, "Mine")
    shared = document(other, "Public", public=True)
    body = {"documents": ids(mine, shared), "status": "archived"}
    response = logged_in.post_json(SET_STATUS, body, status=403)
    assert error_fields(response) == [("body", "documents.1")]
    assert logged_in.get(url_of(mine)).json["status"] == "draft"


def test_an_unknown_status_names_the_argument(logged_in):
    mine = document(logged_in)
    response = logged_in.post_json(SET_STATUS, {"documents": ids(mine), "status": "burnt"}, status=400)
    assert error_fields(response) == [("body", "status")]


def test_tag_adds_and_removes_from_a_form_with_checkboxes(logged_in):
    first = document(logged_in, "One", tags=["old", "keep"])
    second = document(logged_in, "Two")
    fields = [
        ("documents", first["__meta__"]["id"]),
        ("documents", second["__meta__"]["id"]),
        ("add", "new"),
        ("remove", "old"),
    ]
    answered = logged_in.post(TAG, fields).json
    assert [made["tags"] for made in answered] == [["keep", "new"], ["new"]]


def test_a_tag_the_schema_refuses_changes_nothing(logged_in):
    first = document(logged_in, "One")
    response = logged_in.post_json(TAG, {"documents": ids(first), "add": ["x" * 51]}, status=400)
    assert error_fields(response) == [("body", "documents.0")]
    assert logged_in.get(url_of(first)).json["tags"] == []


def test_too_many_documents_at_once_are_refused(logged_in):
    first = document(logged_in)
    response = logged_in.post_json(SET_STATUS, {"documents": ids(first) * 101, "status": "draft"}, status=400)
    assert error_fields(response) == [("body", "documents")]
