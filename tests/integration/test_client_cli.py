"""The client commands of ``backrest`` against a real backrest process: JSON out, errors on stderr.

Each command runs as a user runs it, the console script in a process of
its own, with a home directory of its own (so ``~/.config/backrest/credentials``
is the test's) and the key in the credentials file or ``BACKREST_KEY``.
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import pytest

from tests.integration.command import backrest
from tests.integration.test_client import Site, serving

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Site]:
    with serving(tmp_path_factory.mktemp("client-cli-server"), database_url) as site:
        yield site


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home directory: no credentials file in it."""
    directory = tmp_path / "home"
    directory.mkdir()
    return directory


def client(
    site: Site, home: Path, command: str, *arguments: str, **variables: str
) -> subprocess.CompletedProcess:
    """``backrest command URL arguments...`` run from ``home``."""
    return backrest(command, site.url, *arguments, HOME=str(home), **variables)


def answer(result: subprocess.CompletedProcess) -> object:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def failure(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1
    assert result.stdout == ""
    return result.stderr


def test_call_a_method_with_the_key_in_the_environment(site, home):
    described = answer(client(site, home, "call", "home.describe_site", BACKREST_KEY=site.key))
    assert described["root"] == f"{site.url}/-/"
    assert described["caller"]["credential"] == "API key"
    assert answer(client(site, home, "call", "home.describe_site"))["caller"] is None


def test_objects_from_fields_typed_by_the_service(site, home):
    shutil.copy(site.credentials, home / "credentials")
    profile = ("--credentials", str(home / "credentials"), "--profile", "default")
    fields = ("title=From the shell", "attributes.priority=2", "tags=cli", "tags=shell", "public=yes")
    created = answer(client(site, home, "create", "documents", *fields, *profile))
    assert (created["attributes"], created["tags"], created["public"]) == (
        {"priority": 2},
        ["cli", "shell"],
        True,
    )
    object_id = created["__meta__"]["id"]
    assert answer(client(site, home, "get", "documents", object_id, *profile)) == created

    updated = answer(client(site, home, "update", "documents", object_id, "status=published", *profile))
    assert (updated["status"], updated["__meta__"]["version"]) == ("published", 2)
    marked = answer(
        client(site, home, "call", "documents.tag", f"documents={object_id}", "add=marked", *profile)
    )
    assert marked[0]["tags"] == ["cli", "shell", "marked"]

    assert client(site, home, "delete", "documents", object_id, *profile).returncode == 0
    assert "404 Not Found: path: There is nothing at this URL." in failure(
        client(site, home, "get", "documents", object_id, *profile)
    )


def test_list_every_page_with_the_default_profile(site, home):
    (home / ".config" / "backrest").mkdir(parents=True)
    shutil.copy(site.credentials, home / ".config" / "backrest" / "credentials")
    for title in ("Listed A", "Listed B", "Listed C"):
        answer(client(site, home, "create", "documents", f"title={title}", "status=archived"))
    listed = answer(
        client(
            site,
            home,
            "list",
            "documents",
            "--filter",
            "status=archived",
            "--search",
            "Listed",
            "--ordering",
            "-title",
            "--page-size",
            "1",
        )
    )
    assert [document["title"] for document in listed] == ["Listed C", "Listed B", "Listed A"]
    limited = answer(client(site, home, "list", "documents", "--search", "Listed", "--limit", "1"))
    assert len(limited) == 1


def test_errors_go_to_stderr_with_the_error_list(site, home):
    credentials = ("--credentials", str(site.credentials))
    invalid = failure(client(site, home, "create", "documents", "attributes.priority=9", *credentials))
    assert invalid.startswith("backrest: 400 Bad Request: title: Required; attributes.priority: 9 is greater")
    assert "403 Forbidden" in failure(
        client(site, home, "create", "documents", "title=Refused", "--profile", "reader", *credentials)
    )
    assert "no method nothing.here at" in failure(client(site, home, "call", "nothing.here"))
    assert "no profile [nobody]" in failure(
        client(site, home, "get", "documents", "x", "--profile", "nobody")
    )
    assert "an API key is written KEYID:SECRET" in failure(
        client(site, home, "get", "documents", "x", BACKREST_KEY="no-secret")
    )


def test_files_upload_and_download(site, home, tmp_path):
    source = tmp_path / "report.txt"
    source.write_text("quarterly figures\n" * 1000)
    uploaded = answer(
        client(site, home, "upload", "files", str(source), "description=Q3", BACKREST_KEY=site.key)
    )
    assert (uploaded["filename"], uploaded["size"], uploaded["description"]) == ("report.txt", 18000, "Q3")
    target = tmp_path / "copy.txt"
    downloaded = client(
        site, home, "download", "files", uploaded["__meta__"]["id"], "-o", str(target), BACKREST_KEY=site.key
    )
    assert (downloaded.returncode, downloaded.stdout) == (0, "")
    assert target.read_text() == source.read_text()
    to_stdout = client(site, home, "download", "files", uploaded["__meta__"]["id"], BACKREST_KEY=site.key)
    assert to_stdout.stdout == source.read_text()
    assert "documents is not a file collection" in failure(
        client(site, home, "upload", "documents", str(source), BACKREST_KEY=site.key)
    )
