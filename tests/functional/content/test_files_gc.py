"""``backrest gc``: what nothing refers to goes once older than the grace period, the rest stays."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, update

from backrest.db import utcnow
from backrest.files.gc import collect
from backrest.files.models import Blob
from backrest.files.quota import file_models
from tests.functional.content.conftest import url_of
from tests.functional.content.files import data_path, files_under, stored, upload

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from backrest.files.gc import Collected
    from tests.client import Browser

HOUR = timedelta(hours=1)


@pytest.fixture
def gc(app: Any) -> Callable[[timedelta], Collected]:
    def run(grace: timedelta = timedelta(0)) -> Collected:
        registry = app.registry
        return collect(registry["db_engine"], registry["backrest.files"], file_models(registry), grace)

    return run


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _blob_rows(dbsession: Session) -> set[str]:
    dbsession.expire_all()
    return set(dbsession.scalars(select(Blob.sha256)))


def test_gc_removes_the_data_of_deleted_files(logged_in: Browser, app, gc, dbsession):
    store = app.registry["backrest.files"]
    kept = upload(logged_in, b"kept").json
    gone = upload(logged_in, b"gone").json
    logged_in.delete(url_of(gone), status=204)
    assert set(stored(store)) == {_sha(b"kept"), _sha(b"gone")}
    collected = gc()
    assert (collected.unreferenced.count, collected.unreferenced.size) == (1, 4)
    assert stored(store) == {_sha(b"kept"): b"kept"}
    assert _blob_rows(dbsession) == {_sha(b"kept")}
    assert logged_in.get(data_path(kept)).body == b"kept"


def test_gc_keeps_what_any_file_type_still_names(logged_in: Browser, app, gc):
    store = app.registry["backrest.files"]
    file = upload(logged_in, b"shared").json
    upload(logged_in, b"shared", collection="attachments")
    logged_in.delete(url_of(file), status=204)
    assert gc().unreferenced.count == 0
    assert set(stored(store)) == {_sha(b"shared")}


def test_gc_keeps_what_was_claimed_within_the_grace_period(logged_in: Browser, app, gc, dbsession):
    store = app.registry["backrest.files"]
    logged_in.delete(url_of(upload(logged_in, b"recent").json), status=204)
    assert gc(HOUR).unreferenced.count == 0
    assert set(stored(store)) == {_sha(b"recent")}
    dbsession.execute(update(Blob).values(claimed=utcnow() - 2 * HOUR))
    dbsession.commit()
    assert gc(HOUR).unreferenced.count == 1
    assert stored(store) == {}


def test_a_data_replacement_leaves_the_old_data_to_gc(logged_in: Browser, app, gc):
    store = app.registry["backrest.files"]
    created = upload(logged_in, b"v1").json
    logged_in.put(data_path(created), b"v2", headers={"Content-Type": "text/plain"})
    gc()
    assert stored(store) == {_sha(b"v2"): b"v2"}


def test_gc_removes_blob_files_without_a_row_and_temporary_files(logged_in: Browser, app, gc):
    store = app.registry["backrest.files"]
    upload(logged_in, b"named")
    orphan = store.path(_sha(b"orphan"))
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"orphan")
    stray = store.blobs / "not-a-blob"
    stray.write_bytes(b"??")
    temporary = store.tmp / "upload-cut-off"
    temporary.write_bytes(b"half an upl")
    young = gc(HOUR)
    assert (young.orphans.count, young.temporary.count) == (0, 0)
    collected = gc()
    assert (collected.orphans.count, collected.orphans.size) == (2, 8)
    assert (collected.temporary.count, collected.temporary.size) == (1, 11)
    assert stored(store) == {_sha(b"named"): b"named"}
    assert files_under(store.tmp) == []
    assert collected.report() == (
        "removed 0 unreferenced blobs (0 bytes)\n"
        "removed 2 blobs without a row (8 bytes)\n"
        "removed 1 unfinished uploads (11 bytes)"
    )


def test_gc_removes_rows_whose_file_is_already_gone(logged_in: Browser, app, gc, dbsession):
    """A gc that removed the files but failed to commit leaves rows without files: the next one ends them."""
    store = app.registry["backrest.files"]
    logged_in.delete(url_of(upload(logged_in, b"half done").json), status=204)
    store.path(_sha(b"half done")).unlink()
    collected = gc()
    assert collected.unreferenced.count == 1
    assert _blob_rows(dbsession) == set()


def test_an_upload_puts_back_a_file_gc_removed_from_a_row_it_kept(logged_in: Browser, app, dbsession):
    store = app.registry["backrest.files"]
    logged_in.delete(url_of(upload(logged_in, b"again").json), status=204)
    store.path(_sha(b"again")).unlink()
    again = upload(logged_in, b"again").json
    assert logged_in.get(data_path(again)).body == b"again"
    assert _blob_rows(dbsession) == {_sha(b"again")}
