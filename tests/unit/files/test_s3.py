"""The object store's keys, URLs and failures, without a store: nothing here opens a connection."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import ClientError, EndpointConnectionError

from backrest.files.s3 import S3BlobStore, _unavailable

SHA256 = "ab" + "cd" + "0" * 60
ENDPOINT = "http://127.0.0.1:9"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    return S3BlobStore(tmp_path, bucket="data", prefix="site/", endpoint_url=ENDPOINT, url_expiry=120)


def test_keys_are_content_addressed_under_the_prefix(store):
    assert store.key(SHA256) == f"site/sha256/ab/cd/{SHA256}"
    with pytest.raises(ValueError, match="not a SHA-256"):
        store.key("../../etc/passwd")


@pytest.mark.parametrize("prefix", ["/site/", "site", "a//b/", "site/../", "spaces here/", "ü/"])
def test_a_prefix_is_folder_names_that_nginx_can_take_back_out_of_a_url(tmp_path, prefix):
    with pytest.raises(ValueError, match="an S3 prefix is folder names"):
        S3BlobStore(tmp_path, bucket="data", prefix=prefix)


def test_a_url_lasts_the_expiry_and_names_the_type_and_the_name(store):
    url = urlsplit(store.url(SHA256, ResponseContentType="text/plain", ResponseContentDisposition="inline"))
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:9", f"/data/site/sha256/ab/cd/{SHA256}")
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["120"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["response-content-type"] == ["text/plain"]
    assert query["response-content-disposition"] == ["inline"]


def test_nginx_is_given_the_store_and_the_signed_query_apart(store):
    redirect = store.accel_redirect("/_store/", SHA256)
    assert redirect.startswith(f"/_store/http/127.0.0.1:9/data/site/sha256/ab/cd/{SHA256}?")
    assert "X-Amz-Signature=" in redirect.split("?", 1)[1]


def client_error(status: int, code: str) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutObject")


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (EndpointConnectionError(endpoint_url=ENDPOINT), True),
        (S3UploadFailedError("Failed to upload"), True),
        (client_error(503, "ServiceUnavailable"), True),
        (client_error(500, "InternalError"), True),
        (client_error(400, "SlowDown"), True),
        (client_error(403, "AccessDenied"), False),
        (client_error(404, "NoSuchBucket"), False),
        (ValueError("a bug of ours"), False),
    ],
)
def test_what_says_the_store_cannot_serve_now(error, unavailable):
    assert _unavailable(error) is unavailable
