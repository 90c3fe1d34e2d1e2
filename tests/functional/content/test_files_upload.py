"""Uploading files: multipart to the collection, raw to ``.../data``; limits; nothing left by failures."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select, text

from backrest.files.models import Blob
from backrest.types.files import File
from tests.conftest import error_fields
from tests.functional.content.conftest import another_writer_first, url_of
from tests.functional.content.files import data_path, files_under, stored, upload

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from backrest.files.storage import BlobStore
    from tests.client import Browser

DATA = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64


@pytest.fixture
def store(app: Any) -> BlobStore:
    return app.registry["backrest.files"]


def _blob_rows(dbsession: Session) -> int:
    dbsession.expire_all()
    return dbsession.scalar(select(func.count()).select_from(Blob))


def _nothing_left(store: BlobStore, dbsession: Session) -> None:
    assert files_under(store.tmp) == []
    assert stored(store) == {}
    assert _blob_rows(dbsession) == 0
    assert dbsession.scalar(select(func.count()).select_from(File)) == 0


def test_a_multipart_upload_creates_a_file(logged_in: Browser, store: BlobStore):
    response = upload(logged_in, DATA, "diagram.png", "image/png", description="The plan")
    body = response.json
    sha256 = hashlib.sha256(DATA).hexdigest()
    assert body["filename"] == "diagram.png"
    assert body["content_type"] == "image/png"
    assert body["size"] == len(DATA)
    assert body["sha256"] == sha256
    assert body["description"] == "The plan"
    assert body["download"] == body["__meta__"]["url"] + "/data"
    assert body["__meta__"]["owner"] == logged_in.user_id
    assert response.headers["Location"] == body["__meta__"]["url"]
    assert response.headers["ETag"]
    assert stored(store) == {sha256: DATA}
    assert files_under(store.tmp) == []
    assert logged_in.get(data_path(body)).body == DATA


def test_the_representation_can_be_put_back_unchanged(logged_in: Browser):
    created = upload(logged_in).json
    again = logged_in.put_json(url_of(created), created).json
    assert again["__meta__"]["version"] == created["__meta__"]["version"]
    assert {key: again[key] for key in created if key != "__meta__"} == {
        key: created[key] for key in created if key != "__meta__"
    }


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ada\\report.pdf", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("..", "file"),
        (".htaccess", "htaccess"),
        ("  trailing dots... ", "trailing dots"),
        ("nul\x00byte\x07.txt", "nulbyte.txt"),
        ("Caf\u0065\u0301.txt", "Caf\u00e9.txt"),
    ],
)
def test_client_filenames_are_made_safe(logged_in: Browser, store: BlobStore, sent: str, kept: str):
    assert upload(logged_in, filename=sent).json["filename"] == kept
    assert [path.parent.parent.parent for path in files_under(store.blobs)] == [store.blobs]


def test_a_long_filename_keeps_its_extension(logged_in: Browser):
    name = upload(logged_in, filename="x" * 400 + ".tar.gz").json["filename"]
    assert len(name) == 255
    assert name.endswith("x.gz")


def test_identical_content_is_stored_once(logged_in: Browser, other: Browser, store, dbsession):
    first = upload(logged_in, DATA, "a.png", "image/png").json
    second = upload(other, DATA, "b.png", "image/png").json
    assert first["sha256"] == second["sha256"]
    assert list(stored(store)) == [first["sha256"]]
    assert _blob_rows(dbsession) == 1
    logged_in.delete(url_of(first), status=204)
    assert other.get(data_path(second)).body == DATA


def test_creating_needs_the_file(logged_in: Browser, store, dbsession):
    response = logged_in.post_json("/-/files/", {"description": "x" * 10_001}, status=400)
    assert sorted(error_fields(response)) == [("body", "description"), ("body", "file")]
    _nothing_left(store, dbsession)


def test_a_form_without_the_file_field(logged_in: Browser):
    response = logged_in.post(
        "/-/files/", {"description": "only"}, content_type="multipart/form-data", status=400
    )
    assert error_fields(response) == [("body", "file")]


def test_a_bad_field_beside_the_file_leaves_nothing(logged_in: Browser, store, dbsession):
    response = upload(logged_in, DATA, description="x" * 10_001, status=400)
    assert error_fields(response) == [("body", "description")]
    _nothing_left(store, dbsession)


def test_anonymous_callers_cannot_upload(anonymous: Browser, store, dbsession):
    upload(anonymous, status=401)
    _nothing_left(store, dbsession)


@pytest.mark.parametrize("size", [1001, 3 * 1024 * 1024], ids=["while-reading", "by-length"])
def test_a_file_over_the_size_limit_is_refused(app_with, logged_in, size: int):
    small = on_app_with(app_with, logged_in, **{"backrest.files.max_size": "1000"})
    response = upload(small, b"x" * size, status=413)
    assert error_fields(response) == [("body", "file")]
    assert "larger than 1000 bytes" in response.json["errors"][0]["description"]
    store = small.app.registry["backrest.files"]
    assert files_under(store.tmp) == []
    assert stored(store) == {}
    assert upload(small, b"x" * 1000).json["size"] == 1000


def on_app_with(app_with: Callable[..., Any], browser: Browser, **settings: str) -> Browser:
    """``browser``, with its cookies, on an application with ``settings`` changed."""
    other = type(browser)(app_with(**settings), extra_environ=browser.extra_environ)
    other.cookiejar = browser.cookiejar
    other.csrf_token = browser.csrf_token
    other.user_id = browser.user_id
    return other


def test_the_allow_list_refuses_other_types(app_with, logged_in):
    strict = on_app_with(app_with, logged_in, **{"backrest.files.content_types": "image/* application/pdf"})
    response = upload(strict, b"<svg/>", "x.html", "text/html", status=415)
    assert error_fields(response) == [("body", "file")]
    assert "image/*, application/pdf" in response.json["errors"][0]["description"]
    assert upload(strict, DATA, "x.png", "image/png").json["content_type"] == "image/png"
    assert upload(strict, b"%PDF", "x.pdf", "Application/PDF").json["content_type"] == "application/pdf"
    store = strict.app.registry["backrest.files"]
    assert files_under(store.tmp) == []


def test_the_content_type_of_an_upload(logged_in: Browser):
    assert upload(logged_in, content_type="text/csv; charset=utf-8").json["content_type"] == "text/csv"
    response = upload(logged_in, content_type="not a type", status=400)
    assert error_fields(response) == [("body", "file")]


def test_the_quota_counts_every_file_of_the_owner(app_with, logged_in, other):
    quota = {"backrest.files.quota": "1000"}
    ada = on_app_with(app_with, logged_in, **quota)
    first = upload(ada, b"a" * 600).json
    response = upload(ada, b"b" * 500, collection="attachments", status=413)
    assert error_fields(response) == [("body", "file")]
    assert "quota of 1000 bytes (600 bytes already used)" in response.json["errors"][0]["description"]
    # Replacing data frees what it replaces.
    ada.put(data_path(first), b"c" * 1000, headers={"Content-Type": "text/plain"})
    ada.put(data_path(first), b"d" * 1001, headers={"Content-Type": "text/plain"}, status=413)
    # Somebody else's storage is theirs.
    bob = on_app_with(app_with, other, **quota)
    upload(bob, b"e" * 900)
    store = ada.app.registry["backrest.files"]
    assert files_under(store.tmp) == []


def test_the_quota_is_counted_again_once_the_upload_is_in(app_with, logged_in, dbsession):
    """Two uploads that each fit what was left when they began cannot both be kept."""
    ada = on_app_with(app_with, logged_in, **{"backrest.files.quota": "1000"})
    upload(ada, b"a" * 600)
    # What the first check saw is changed behind its back: the second check refuses.
    dbsession.execute(text("UPDATE files SET size = 950"))
    dbsession.commit()
    response = upload(ada, b"b" * 100, status=413)
    assert "quota of 1000 bytes" in response.json["errors"][0]["description"]
    store = ada.app.registry["backrest.files"]
    assert set(stored(store)) == {hashlib.sha256(b"a" * 600).hexdigest()}
    assert files_under(store.tmp) == []


def team_key_script(manager: Browser) -> tuple[dict[str, Any], Browser]:
    """A team of ``manager``'s, and a script (on the same application) with a key of the team."""
    crew = manager.post_json("/-/teams/", {"name": "Crew"}, status=201).json
    credential = manager.post_json(url_of(crew) + "/keys/", {"name": "CI"}, status=201).json["key"]
    script = type(manager)(manager.app, extra_environ={"HTTP_AUTHORIZATION": f"Token {credential}"})
    return crew, script


def test_a_team_key_uploads_against_the_team_quota(app_with, logged_in):
    """What a team's key makes has no owner: it counts against the team, under the same quota."""
    ada = on_app_with(app_with, logged_in, **{"backrest.files.quota": "1000"})
    crew, script = team_key_script(ada)
    # Ada's own file, shared with the team, counts against her, not the team.
    own = upload(ada, b"a" * 900).json
    ada.put(url_of(own) + f"/shares/{crew['__meta__']['id']}", status=201)
    first = upload(script, b"b" * 600).json
    assert first["__meta__"]["owner"] is None
    response = upload(script, b"c" * 500, collection="attachments", status=413)
    assert error_fields(response) == [("body", "file")]
    description = response.json["errors"][0]["description"]
    assert "the team's storage past its quota of 1000 bytes (600 bytes already used)" in description
    upload(script, b"c" * 400, collection="attachments")
    assert files_under(ada.app.registry["backrest.files"].tmp) == []


def test_whoever_replaces_a_team_file_counts_against_the_team(app_with, logged_in, admin):
    """Replacing data frees what it replaces, in the team's storage as in an owner's."""
    quota = {"backrest.files.quota": "1000"}
    _, script = team_key_script(on_app_with(app_with, logged_in, **quota))
    made = upload(script, b"a" * 600).json
    upload(script, b"b" * 300)
    root = on_app_with(app_with, admin, **quota)
    response = root.put(data_path(made), b"c" * 701, headers={"Content-Type": "text/plain"}, status=413)
    assert "the team's storage" in response.json["errors"][0]["description"]
    root.put(data_path(made), b"c" * 700, headers={"Content-Type": "text/plain"}, status=200)


@pytest.mark.parametrize(
    ("content_type", "body", "description"),
    [
        ("multipart/form-data", b"no boundary", "boundary"),
        ("multipart/form-data; boundary=X", b'--X\r\nContent-Disposition: form-data; name="file"', "Invalid"),
        (
            "multipart/form-data; boundary=X",
            b'--X\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
            "Invalid",
        ),
        ("multipart/form-data; boundary=X", b"garbage without any boundary", "Invalid"),
    ],
)
def test_broken_multipart_bodies(logged_in, store, dbsession, *, content_type, body, description):
    response = logged_in.post("/-/files/", body, headers={"Content-Type": content_type}, status=400)
    assert description in response.json["errors"][0]["description"]
    _nothing_left(store, dbsession)


def test_one_file_per_request(logged_in, store, dbsession):
    response = logged_in.post(
        "/-/files/", upload_files=[("file", "a.txt", b"a"), ("file", "b.txt", b"b")], status=400
    )
    assert error_fields(response) == [("body", "file")]
    _nothing_left(store, dbsession)


def test_form_fields_are_bounded_and_utf8(app_with, logged_in, store, dbsession):
    tight = on_app_with(app_with, logged_in, **{"backrest.max_body_size": "100"})
    response = upload(tight, b"x" * 5000, description="d" * 200, status=413)
    assert error_fields(response) == [("body", None)]
    latin1 = (
        b'--X\r\nContent-Disposition: form-data; name="description"\r\n\r\ncaf\xe9\r\n'
        b'--X\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc\r\n--X--\r\n'
    )
    response = logged_in.post(
        "/-/files/", latin1, headers={"Content-Type": "multipart/form-data; boundary=X"}, status=400
    )
    assert error_fields(response) == [("body", "description")]
    _nothing_left(store, dbsession)


def test_a_failed_commit_leaves_no_file(logged_in: Browser, app, dbsession):
    """The database refuses the row only at COMMIT, after the blob was put in place: it is taken back."""
    store = app.registry["backrest.files"]
    response = upload(logged_in, DATA, collection="attachments", folder="nowhere", status=500)
    assert response.json["errors"][0]["location"] == "request"
    assert stored(store) == {}
    assert files_under(store.tmp) == []
    assert _blob_rows(dbsession) == 0


def test_a_failed_commit_keeps_a_blob_others_use(logged_in: Browser, app, dbsession):
    store = app.registry["backrest.files"]
    kept = upload(logged_in, DATA).json
    upload(logged_in, DATA, collection="attachments", folder="nowhere", status=500)
    assert stored(store) == {kept["sha256"]: DATA}
    assert logged_in.get(data_path(kept)).body == DATA


def test_put_data_replaces_the_content(logged_in: Browser, store):
    created = upload(logged_in, DATA, "diagram.png", "image/png").json
    response = logged_in.put(data_path(created), b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    body = response.json
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(b"%PDF-1.7")
    assert body["sha256"] == hashlib.sha256(b"%PDF-1.7").hexdigest()
    assert body["filename"] == "diagram.png"
    assert body["__meta__"]["version"] == created["__meta__"]["version"] + 1
    assert response.headers["ETag"] == logged_in.get(url_of(created)).headers["ETag"]
    assert logged_in.get(data_path(created)).body == b"%PDF-1.7"
    # The old content stays until gc: nothing removes data in a request.
    assert set(stored(store)) == {created["sha256"], body["sha256"]}


def test_put_data_checks_if_match_before_reading(logged_in: Browser, store):
    created = upload(logged_in).json
    path = data_path(created)
    headers = {"Content-Type": "text/plain"}
    response = logged_in.put(path, b"new", headers={**headers, "If-Match": '"stale"'}, status=412)
    assert error_fields(response) == [("header", "If-Match")]
    assert files_under(store.tmp) == []
    data_tag = logged_in.get(path).headers["ETag"]
    logged_in.put(path, b"new", headers={**headers, "If-Match": data_tag})
    item_tag = logged_in.get(url_of(created)).headers["ETag"]
    logged_in.put(path, b"newer", headers={**headers, "If-Match": item_tag})
    logged_in.put(path, b"newest", headers={**headers, "If-Match": data_tag}, status=412)


def test_put_data_refusals(app_with, logged_in: Browser, other: Browser, anonymous: Browser):
    created = upload(logged_in).json
    path = data_path(created)
    other.put(path, b"mine", headers={"Content-Type": "text/plain"}, status=404)
    logged_in.put_json(url_of(created), {"public": True})
    other.put(path, b"mine", headers={"Content-Type": "text/plain"}, status=403)
    anonymous.put(path, b"mine", headers={"Content-Type": "text/plain"}, status=401)
    response = logged_in.put(path, b"x", headers={"Content-Type": "what"}, status=400)
    assert error_fields(response) == [("header", "Content-Type")]
    strict = on_app_with(app_with, logged_in, **{"backrest.files.content_types": "text/plain"})
    response = strict.put(path, b"x", headers={"Content-Type": "image/png"}, status=415)
    assert error_fields(response) == [("header", "Content-Type")]
    small = on_app_with(app_with, logged_in, **{"backrest.files.max_size": "3"})
    response = small.put(path, b"four", headers={"Content-Type": "text/plain"}, status=413)
    assert error_fields(response) == [("body", None)]
    assert logged_in.get(path).body == b"Some notes.\n"


def test_a_multipart_put_replaces_data_and_fields(logged_in: Browser):
    created = upload(logged_in).json
    response = logged_in.put(
        url_of(created), {"description": "v2"}, upload_files=[("file", "v2.csv", b"a,b\n", "text/csv")]
    )
    body = response.json
    assert (body["description"], body["filename"], body["content_type"]) == ("v2", "v2.csv", "text/csv")
    renamed = logged_in.patch_json(url_of(created), {"filename": "../final.csv"}).json
    assert renamed["filename"] == "final.csv"
    assert logged_in.get(data_path(created)).body == b"a,b\n"


def test_a_json_put_keeps_the_data(logged_in: Browser):
    created = upload(logged_in, DATA).json
    changed = logged_in.put_json(url_of(created), {"description": "new", "size": 1, "sha256": "0" * 64}).json
    assert (changed["size"], changed["sha256"]) == (created["size"], created["sha256"])


def test_uploads_are_audited(logged_in: Browser, admin: Browser):
    created = upload(logged_in).json
    logged_in.put(data_path(created), b"v2", headers={"Content-Type": "text/plain"})
    entries = admin.get("/-/logs/", {"object_id": created["__meta__"]["id"]}).json["results"]
    actions = sorted(entry["action"] for entry in entries)
    assert actions == ["create", "update"]
    update = next(entry for entry in entries if entry["action"] == "update")
    assert set(update["changes"]) == {"sha256", "size"}


def test_an_upload_that_loses_a_race_is_a_409(logged_in: Browser, app, database_url: str, store):
    """An upload runs once: another writer's change between its read and its write is a conflict."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time: the race cannot happen")
    created = upload(logged_in).json
    theirs = "UPDATE files SET version = version + 1"
    with another_writer_first(app.registry["db_engine"], "UPDATE files SET", theirs) as raced:
        response = logged_in.put(
            data_path(created), b"mine", headers={"Content-Type": "text/plain"}, status=409
        )
    assert raced
    assert error_fields(response) == [("request", None)]
    assert logged_in.get(data_path(created)).body == b"Some notes.\n"
    assert set(stored(store)) == {created["sha256"]}
    assert files_under(store.tmp) == []
