"""The files' data manager in a real transaction, beside a resource that commits after it."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import transaction

from backrest.files.storage import BlobStore, TooLarge
from backrest.files.transaction import FilesDataManager

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from backrest.files.storage import Received


class CommitFailedError(Exception):
    pass


@dataclass
class Database:
    """Stands where zope.sqlalchemy does: it commits in its vote, sorted last."""

    transaction_manager: Any
    fails: bool = False

    def abort(self, txn: Any) -> None:
        pass

    tpc_begin = commit = tpc_finish = tpc_abort = abort

    def tpc_vote(self, txn: Any) -> None:
        if self.fails:
            raise CommitFailedError

    def sortKey(self) -> str:  # noqa: N802
        return "~sqlalchemy:1"


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    store = BlobStore(tmp_path)
    store.prepare()
    return store


def _files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.rglob("*") if path.is_file())


def _nowhere(sha256: str) -> bool:
    return False


def _transaction(
    store: BlobStore, *, fails: bool = False, committed: Callable[[str], bool] = _nowhere
) -> tuple[Any, FilesDataManager]:
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    files = FilesDataManager(store, manager, committed)
    manager.get().join(files)
    manager.get().join(Database(manager, fails=fails))
    return manager, files


def _uploaded(store: BlobStore, files: FilesDataManager, data: bytes, *, owner: bool) -> Received:
    """``data`` received and claimed in ``files``' transaction."""
    received = store.receive([data], 100)
    files.add(received)
    files.claim(received, owner=owner)
    return received


def test_a_commit_publishes_what_was_claimed_and_drops_the_rest(store: BlobStore):
    manager, files = _transaction(store)
    kept = store.receive([b"kept"], 100)
    dropped = store.receive([b"dropped"], 100)
    files.add(kept)
    files.add(dropped)
    files.claim(kept, owner=True)
    manager.commit()
    assert _files(store.blobs) == [kept.sha256]
    assert store.path(kept.sha256).read_bytes() == b"kept"
    assert _files(store.tmp) == []


def test_an_abort_leaves_nothing(store: BlobStore):
    manager, files = _transaction(store)
    _uploaded(store, files, b"ab", owner=True)
    manager.abort()
    assert _files(store.blobs) == _files(store.tmp) == []


def test_a_failed_commit_takes_back_the_blobs_its_transaction_created(store: BlobStore):
    manager, files = _transaction(store, fails=True)
    _uploaded(store, files, b"new", owner=True)
    with pytest.raises(CommitFailedError):
        manager.commit()
    assert _files(store.blobs) == _files(store.tmp) == []


def _unreachable(sha256: str) -> bool:
    raise ConnectionError


@pytest.mark.parametrize("committed", [lambda _sha256: True, _unreachable], ids=["committed", "unknown"])
def test_a_commit_that_may_have_succeeded_keeps_its_blobs(store: BlobStore, committed):
    """A connection lost during COMMIT: the row may be there; its blob must be."""
    manager, files = _transaction(store, fails=True, committed=committed)
    received = _uploaded(store, files, b"maybe", owner=True)
    with pytest.raises(CommitFailedError):
        manager.commit()
    assert store.path(received.sha256).read_bytes() == b"maybe"


def test_a_failed_commit_keeps_a_blob_it_did_not_create(store: BlobStore):
    first, files = _transaction(store)
    existing = _uploaded(store, files, b"shared", owner=True)
    first.commit()
    manager, files = _transaction(store, fails=True)
    _uploaded(store, files, b"shared", owner=False)
    with pytest.raises(CommitFailedError):
        manager.commit()
    assert store.path(existing.sha256).read_bytes() == b"shared"
    assert _files(store.tmp) == []


def test_a_failed_commit_keeps_a_blob_another_upload_replaced_since(store: BlobStore):
    manager, files = _transaction(store, fails=True)
    mine = _uploaded(store, files, b"same", owner=True)
    theirs = store.receive([b"same"], 100)

    original = files.tpc_vote

    def vote_then_replaced(txn: Any) -> None:
        original(txn)
        store.publish(theirs, replace=True)

    files.tpc_vote = vote_then_replaced
    with pytest.raises(CommitFailedError):
        manager.commit()
    assert store.path(mine.sha256).stat().st_ino == theirs.inode


def test_an_upload_fills_a_missing_blob_it_did_not_create(store: BlobStore):
    manager, files = _transaction(store)
    received = _uploaded(store, files, b"healed", owner=False)
    manager.commit()
    assert store.path(received.sha256).read_bytes() == b"healed"


def test_receiving_past_the_limit_leaves_nothing(store: BlobStore):
    with pytest.raises(TooLarge):
        store.receive([b"12345", b"678"], 7)
    assert _files(store.tmp) == []
    received = store.receive([b"1234567"], 7)
    assert (received.size, received.path.read_bytes()) == (7, b"1234567")


def test_a_blob_is_readable_by_the_web_server_as_the_umask_allows(store: BlobStore):
    umask = os.umask(0o027)
    try:
        received = store.receive([b"served by nginx"], 100)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(received.path.stat().st_mode) == 0o640


def test_the_store_reports_whether_it_works(store: BlobStore, tmp_path: Path):
    assert store.works()
    assert not BlobStore(tmp_path / "missing").works()
    with pytest.raises(ValueError, match="SHA-256"):
        store.path("../../etc/passwd")
