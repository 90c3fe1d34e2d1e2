"""File data in an S3-compatible object store, which every machine serving the site shares.

    <bucket>/<prefix>sha256/ab/cd/abcd...   one object per distinct content, named by its SHA-256

An upload is received as with local storage, into a temporary file on this
machine (hashed as it comes), and goes to the store when the request's
transaction commits, before the database does (boto3's managed transfer:
multipart, parts sent in parallel). An object is never deleted when that
transaction fails after all: another upload of the same content may have
stored it too in the meantime, and one deletion could take the data of a
row that commits. ``backrest gc`` removes the objects no row names once
they are older than its grace period, under row locks
(:mod:`backrest.files.gc`).

Credentials come from boto3's usual places (``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``, a role...), never from the ini file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from backrest.files.storage import BLOCK, SHA256, Stored, StoreUnavailable, Uploads

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from backrest.files.ranges import ByteRange
    from backrest.files.storage import Received

# A slow or stopped store gives up within seconds: the request answers 503
# (backrest.files.unavailable) rather than hold its thread.
CLIENT_CONFIG = Config(
    signature_version="s3v4",
    connect_timeout=2,
    read_timeout=10,
    retries={"total_max_attempts": 2, "mode": "standard"},
)
# Parts of 16 MiB, four at a time: a 1 GiB upload goes in about twice the time
# of boto3's defaults alone, and a process's memory grows by about 64 MiB at most.
TRANSFER_CONFIG = TransferConfig(
    multipart_threshold=16 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024, max_concurrency=4
)
SERVER_ERROR = 500
BUSY = frozenset({"SlowDown", "RequestTimeout"})
"""What a store answers, below a 500, when it is there but cannot serve now."""
KEY = re.compile(r"sha256/[0-9a-f]{2}/[0-9a-f]{2}/(?P<sha256>[0-9a-f]{64})")
PREFIX = re.compile(r"^(?:(?!\.\.?/)[A-Za-z0-9._-]+/)*$")
"""Names of folders, each ending in ``/``: what nginx's location can take back out of a URL as it is."""


def _unavailable(error: Exception) -> bool:
    """Whether ``error`` says the store cannot serve now, rather than that backrest asked wrongly."""
    if isinstance(error, BotoCoreError | S3UploadFailedError):
        return True
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return status >= SERVER_ERROR or error.response.get("Error", {}).get("Code") in BUSY
    return False


class _Translated:
    """Raise :class:`StoreUnavailable` for what says the store is unavailable."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> None:
        if isinstance(error, Exception) and _unavailable(error):
            raise StoreUnavailable(str(error)) from error


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}


def _chunks(body: Any) -> Iterator[bytes]:
    """The blocks of a ``get_object`` answer's body; a store failing midway cuts the answer short."""
    try:
        with _Translated():
            yield from body.iter_chunks(BLOCK)
    finally:
        body.close()


class S3BlobStore(Uploads):
    """Blobs as objects of ``bucket`` under ``prefix``; uploads received under ``root``."""

    def __init__(
        self,
        root: str | Path,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        url_expiry: int = 300,
    ) -> None:
        super().__init__(root)
        if not PREFIX.match(prefix):
            msg = f"an S3 prefix is folder names (letters, digits, '.', '_', '-') ending in '/': {prefix!r}"
            raise ValueError(msg)
        self.bucket = bucket
        self.prefix = prefix
        self.url_expiry = url_expiry
        # Path-style URLs for a store of one's own (http://store:8333/bucket/key); AWS chooses its own.
        path_style = Config(s3={"addressing_style": "path"})
        config = CLIENT_CONFIG.merge(path_style) if endpoint_url else CLIENT_CONFIG
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config
        )

    def key(self, sha256: str) -> str:
        if not SHA256.match(sha256):
            msg = f"not a SHA-256: {sha256!r}"
            raise ValueError(msg)
        return f"{self.prefix}sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def works(self) -> bool:
        """Whether an upload could be received and stored now (the heartbeat's check)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError):
            return False
        return self.can_receive()

    def problem(self) -> str:
        """What :meth:`works` found wrong, said to an operator."""
        return f"bucket {self.bucket} does not answer, or {self.tmp} cannot be written to"

    def _exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def publish(self, received: Received, *, replace: bool) -> bool:
        """Store ``received`` as the object of its hash; answers whether this upload stored it.

        ``replace``: the caller created the blob's row, so the object is sent
        whether or not one is there. Otherwise the row was there, and so
        (almost always) is the object: it is sent only if missing.
        """
        with _Translated():
            if not replace and self._exists(received.sha256):
                self.discard(received)
                return False
            self.client.upload_file(
                str(received.path), self.bucket, self.key(received.sha256), Config=TRANSFER_CONFIG
            )
        self.discard(received)
        return True

    def remove_published(self, received: Received) -> None:
        """Nothing: an object stays when its transaction fails (see above), until ``backrest gc``."""

    def remove_blobs(self, hashes: list[str]) -> None:
        """Remove the objects of ``hashes`` (``backrest gc``, which made sure no row names them)."""
        if not hashes:
            return
        with _Translated():
            answer = self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": self.key(sha256)} for sha256 in hashes], "Quiet": True},
            )
        if answer.get("Errors"):
            msg = f"the store did not remove {answer['Errors']}"
            raise StoreUnavailable(msg)

    def _listed(self, operation: str, **arguments: Any) -> Iterator[dict[str, Any]]:
        with _Translated():
            yield from self.client.get_paginator(operation).paginate(
                Bucket=self.bucket, Prefix=f"{self.prefix}sha256/", **arguments
            )

    def stored_before(self, cutoff: float) -> Iterator[Stored]:
        """The objects of blobs last written before ``cutoff``; other keys under the prefix are left alone."""
        for page in self._listed("list_objects_v2"):
            for item in page.get("Contents", []):
                found = KEY.fullmatch(item["Key"].removeprefix(self.prefix))
                if found and item["LastModified"].timestamp() < cutoff:
                    key = item["Key"]
                    yield Stored(found["sha256"], item["Size"], lambda key=key: self._delete(key))

    def _delete(self, key: str) -> None:
        with _Translated():
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def unfinished_before(self, cutoff: float) -> Iterator[Stored]:
        """Temporary files, and the store's multipart uploads a killed process left, older than ``cutoff``."""
        yield from super().unfinished_before(cutoff)
        for page in self._listed("list_multipart_uploads"):
            for upload in page.get("Uploads", []):
                if upload["Initiated"].timestamp() < cutoff:
                    key, upload_id = upload["Key"], upload["UploadId"]
                    yield Stored(None, 0, lambda key=key, upload_id=upload_id: self._abort(key, upload_id))

    def _abort(self, key: str, upload_id: str) -> None:
        with _Translated():
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def read(self, sha256: str, byte_range: ByteRange) -> Iterator[bytes]:
        """The bytes of ``byte_range``, read from the store as they are sent.

        The store is asked now, so that its failure is the answer's 503.
        """
        with _Translated():
            answer = self.client.get_object(
                Bucket=self.bucket, Key=self.key(sha256), Range=byte_range.header_value()
            )
        return _chunks(answer["Body"])

    def url(self, sha256: str, **overrides: str) -> str:
        """A URL of the object that anyone may GET for :attr:`url_expiry` seconds.

        ``overrides`` are the answer's headers the store is asked to give
        (``ResponseContentType``, ``ResponseContentDisposition``...).
        """
        with _Translated():
            return self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": self.key(sha256), **overrides},
                ExpiresIn=self.url_expiry,
            )

    def accel_redirect(self, location: str, sha256: str, **overrides: str) -> str:
        """The ``X-Accel-Redirect`` that has nginx fetch the object through ``location`` (deploy/nginx.conf).

        ``<location>/<scheme>/<host>/<path>?<query>`` of a URL valid for a
        while: nginx takes the store's address back out of it, so one
        location serves any store, and the query (the signature) as it is.
        """
        url = urlsplit(self.url(sha256, **overrides))
        return f"{location.rstrip('/')}/{url.scheme}/{url.netloc}{url.path}?{url.query}"
