"""The files' part of a request's transaction: uploads become blobs only if the database commits.

Written here rather than taken from repoze.filesafe: its data manager
undoes a rename on abort (where an upload's temporary file should simply
go), and on a failed commit it removes the target even when another,
committed transaction put the same content there. Content-addressed blobs
need both the other way round.

The order, for a request that uploaded something:

1. While the request runs, the upload is received into a temporary file
   (flushed to disk) and its blob's row is claimed in the database, which
   locks the row until the transaction ends (:func:`backrest.files.models.claim_blob`).
2. On commit, this manager votes first (its sort key sorts before
   zope.sqlalchemy's, which commits the database in its own vote): it
   renames each upload to its blob path and syncs the directory.
3. Then the database commits. If it fails, this manager's ``tpc_abort``
   removes the blobs it put in place for rows it created, unless another
   upload has replaced the file since, or the row is found committed after
   all (a connection lost during COMMIT leaves its outcome unknown; when the
   database cannot be asked, the blob stays, for ``backrest gc`` to judge).

So a process killed at any moment leaves at most a temporary file or a
blob no row names (both removed by ``backrest gc``), never a row whose blob
is missing; and a failed or aborted request leaves neither.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from transaction.interfaces import IDataManager
from zope.interface import implementer

if TYPE_CHECKING:
    from collections.abc import Callable

    from transaction.interfaces import ITransactionManager

    from backrest.files.storage import BlobStore, Received


log = logging.getLogger(__name__)


@dataclass
class _Upload:
    received: Received
    owner: bool | None = None
    """``True``: this transaction created the blob's row, the blob is its to publish and to
    take back; ``False``: the row was there, the blob too (or it is filled in); ``None``:
    not used by the request, only discarded."""


@implementer(IDataManager)
@dataclass
class FilesDataManager:
    store: BlobStore
    transaction_manager: ITransactionManager
    committed: Callable[[str], bool]
    """Whether the blob row of a SHA-256 is in the database, asked outside the transaction."""
    uploads: list[_Upload] = field(default_factory=list)
    published: list[_Upload] = field(default_factory=list)

    def add(self, received: Received) -> None:
        """Hold ``received``: it is discarded when the transaction ends, unless claimed."""
        self.uploads.append(_Upload(received))

    def claim(self, received: Received, *, owner: bool) -> None:
        """Publish ``received`` if the transaction commits; see :func:`backrest.files.models.claim_blob`."""
        for upload in self.uploads:
            if upload.received is received:
                upload.owner = owner

    def _discard(self) -> None:
        for upload in self.uploads:
            self.store.discard(upload.received)
        self.uploads.clear()

    def abort(self, transaction: Any) -> None:
        self._discard()

    def tpc_begin(self, transaction: Any) -> None:
        pass

    def commit(self, transaction: Any) -> None:
        pass

    def tpc_vote(self, transaction: Any) -> None:
        for upload in self.uploads:
            if upload.owner is None:
                self.store.discard(upload.received)
            elif self.store.publish(upload.received, replace=upload.owner) and upload.owner:
                self.published.append(upload)

    def tpc_finish(self, transaction: Any) -> None:
        self.uploads.clear()
        self.published.clear()

    def _committed_after_all(self, upload: _Upload) -> bool:
        try:
            return self.committed(upload.received.sha256)
        except Exception:
            log.exception("cannot tell whether blob %s was committed: it stays", upload.received.sha256)
            return True

    def tpc_abort(self, transaction: Any) -> None:
        for upload in self.published:
            if not self._committed_after_all(upload):
                self.store.remove_published(upload.received)
        self.published.clear()
        self._discard()

    def sortKey(self) -> str:  # noqa: N802 - the transaction package's name
        # Before "~sqlalchemy:...": the files are in place before the database commits.
        return f"backrest.files:{id(self)}"
