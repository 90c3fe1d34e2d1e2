"""Sections 3 and 13: every write is in the audit log, in the same transaction as the write."""

import pytest
from sqlalchemy import func, select, text

from backrest.audit.models import AuditEntry
from tests.functional.content.conftest import ADMIN_CLIENT, another_writer_first, document, url_of
from tests.testapp.models import Bookmark


def entries(dbsession, action=None):
    """The entries about content (not the accounts'), oldest first."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.object_type.in_(("documents", "bookmarks")))
        .order_by(AuditEntry.created)
    )
    if action:
        statement = statement.where(AuditEntry.action == action)
    return list(dbsession.scalars(statement))


def test_create_writes_one_entry(logged_in, dbsession):
    created = document(logged_in)
    [entry] = entries(dbsession, "create")
    assert (entry.object_type, entry.object_id) == ("documents", created["__meta__"]["id"])


def test_create_entry_says_who_and_from_where(logged_in, dbsession):
    document(logged_in)
    [entry] = entries(dbsession, "create")
    assert (entry.actor_id, entry.owner_id, entry.ip) == (logged_in.user_id, logged_in.user_id, "192.0.2.10")


def test_create_entry_holds_every_field_set(logged_in, dbsession):
    document(logged_in, "Minutes", tags=["a"], public=True)
    [entry] = entries(dbsession, "create")
    assert entry.changes == {
        "title": [None, "Minutes"],
        "body": [None, ""],
        "status": [None, "draft"],
        "tags": [None, ["a"]],
        "attributes": [None, {}],
        "public": [None, True],
    }


def test_update_writes_what_changed(logged_in, dbsession):
    created = document(logged_in, "Minutes", body="Same")
    logged_in.patch_json(url_of(created), {"title": "Agenda", "body": "Same"})
    [entry] = entries(dbsession, "update")
    assert (entry.object_id, entry.changes) == (created["__meta__"]["id"], {"title": ["Minutes", "Agenda"]})


def test_nested_update_writes_the_whole_old_and_new_subtree(logged_in, dbsession):
    created = document(logged_in, attributes={"color": "red", "language": "en"})
    logged_in.patch_json(url_of(created), {"attributes": {"color": "blue"}})
    [entry] = entries(dbsession, "update")
    assert entry.changes == {
        "attributes": [{"color": "red", "language": "en"}, {"color": "blue", "language": "en"}]
    }


def test_update_that_changes_nothing_writes_no_entry(logged_in, dbsession):
    created = document(logged_in)
    logged_in.put_json(url_of(created), logged_in.get(url_of(created)).json)
    assert entries(dbsession, "update") == []


def test_update_by_an_admin_names_the_admin_and_the_owner(logged_in, admin, dbsession):
    created = document(logged_in)
    admin.patch_json(url_of(created), {"title": "Moderated"})
    [entry] = entries(dbsession, "update")
    assert (entry.actor_id, entry.owner_id, entry.ip) == (
        admin.user_id,
        logged_in.user_id,
        ADMIN_CLIENT["REMOTE_ADDR"],
    )


def test_delete_writes_what_was_there(logged_in, dbsession):
    created = document(logged_in, "Minutes")
    logged_in.delete(url_of(created))
    [entry] = entries(dbsession, "delete")
    assert entry.object_id == created["__meta__"]["id"]
    assert entry.changes == {
        "title": ["Minutes", None],
        "body": ["", None],
        "status": ["draft", None],
        "tags": [[], None],
        "attributes": [{}, None],
        "public": [False, None],
    }


def test_owner_reads_the_entries_of_their_object(logged_in, other):
    created = document(logged_in)
    logged_in.patch_json(url_of(created), {"title": "Two"})
    assert {entry["action"] for entry in logged_in.get("/-/logs/").json["results"]} >= {"create", "update"}
    assert other.get("/-/logs/?object_type=documents").json["count"] == 0


# A failed write leaves no entry.


def test_invalid_write_writes_no_entry(logged_in, dbsession):
    created = document(logged_in)
    logged_in.patch_json(url_of(created), {"status": "bogus"}, status=400)
    assert entries(dbsession, "update") == []


def test_refused_write_writes_no_entry(logged_in, other, dbsession):
    created = document(logged_in, public=True)
    other.patch_json(url_of(created), {"title": "x"}, status=403)
    other.delete(url_of(created), status=403)
    assert [entry.action for entry in entries(dbsession)] == ["create"]


def test_stale_write_writes_no_entry(logged_in, dbsession):
    created = document(logged_in)
    stale = logged_in.get(url_of(created)).headers["ETag"]
    logged_in.patch_json(url_of(created), {"title": "Two"})
    logged_in.patch_json(url_of(created), {"title": "Three"}, headers={"If-Match": stale}, status=412)
    logged_in.delete(url_of(created), headers={"If-Match": stale}, status=412)
    assert [entry.action for entry in entries(dbsession)] == ["create", "update"]


def test_write_failing_at_commit_leaves_neither_object_nor_entry(logged_in, dbsession):
    # The folder is checked only when the transaction commits: after the view
    # wrote the bookmark and its entry, and answered.
    body = {"url": "https://example.com", "folder": "nowhere"}
    response = logged_in.post_json("/-/bookmarks/", body, status=500)
    assert response.json["status"] == "error"
    assert dbsession.scalar(select(func.count()).select_from(Bookmark)) == 0
    assert entries(dbsession, "create") == []
    # The connection that served it serves the next write with nothing left over.
    logged_in.post_json("/-/documents/", {"title": "Next"}, status=201)
    assert dbsession.scalar(select(func.count()).select_from(Bookmark)) == 0


def test_write_that_commits_writes_its_entry(logged_in, dbsession):
    dbsession.execute(text("INSERT INTO toy_bookmark_folders (name) VALUES ('reading')"))
    dbsession.commit()
    created = logged_in.post_json("/-/bookmarks/", {"url": "https://example.com", "folder": "reading"}).json
    [entry] = entries(dbsession, "create")
    assert (entry.object_type, entry.object_id) == ("bookmarks", created["__meta__"]["id"])


def test_a_create_and_its_entry_are_one_statement_on_postgresql(logged_in, statements, database_url):
    statements.clear()
    document(logged_in)
    inserts = [statement for statement in statements if "INSERT INTO documents" in statement]
    entries_apart = [statement for statement in statements if statement.startswith("INSERT INTO audit_log")]
    assert len(inserts) == 1
    if database_url.startswith("postgresql"):
        assert "INSERT INTO audit_log" in inserts[0]
        assert entries_apart == []
    else:  # SQLite writes no row inside a WITH
        assert len(entries_apart) == 1


def test_an_update_that_loses_a_race_runs_again_and_is_logged_once(logged_in, app, dbsession, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time: the race cannot happen")
    created = document(logged_in, "Minutes")
    theirs = "UPDATE documents SET version = version + 1, body = 'Theirs'"
    with another_writer_first(app.registry["db_engine"], "UPDATE documents SET", theirs) as raced:
        updated = logged_in.patch_json(url_of(created), {"title": "Agenda"}).json
    assert raced
    assert (updated["title"], updated["body"], updated["__meta__"]["version"]) == ("Agenda", "Theirs", 3)
    assert [entry.changes for entry in entries(dbsession, "update")] == [{"title": ["Minutes", "Agenda"]}]


def test_an_update_and_its_entry_are_one_statement_on_postgresql(logged_in, statements, database_url):
    url = url_of(document(logged_in))
    statements.clear()
    logged_in.patch_json(url, {"title": "Agenda"})
    updates = [statement for statement in statements if "UPDATE documents" in statement]
    assert len(updates) == 1
    assert ("INSERT INTO audit_log" in updates[0]) == database_url.startswith("postgresql")
