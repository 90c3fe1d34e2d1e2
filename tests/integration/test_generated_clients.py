"""Clients generated from the live ``/-/openapi.json`` work: a Python one calls the server, types compile.

openapi-python-client writes a package that creates, lists and fetches a
document with an API key, answering typed models; openapi-typescript writes
the types that ``tools/typescript-client/usage.ts`` uses, and ``tsc`` checks
them. The generators read the document a real server answers.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD
from tests.integration.test_server import running_server, signup_and_confirm
from tests.servers import ROOT, missing

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.test_server import Server

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "generated_backrest_client"
TOOLS = ROOT / "tools" / "typescript-client"
NPM_CI = "npm ci --prefix tools/typescript-client"
# The document does not depend on the database: one is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def server(clean_database: str, tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, clean_database) as server:
        yield server


@pytest.fixture
def key(server: Server) -> str:
    """An API key of a confirmed account, made over HTTP."""
    client = server.client()
    signup_and_confirm(server, client)
    logged_in = client.put("/-/login", {"login": "ada@example.com", "password": PASSWORD})
    client.csrf_token = logged_in.json["csrf_token"]
    made = client.post("/-/keys", {"name": "generated"})
    assert made.status == 201
    return made.json["key"]


@pytest.fixture
def document_path(server: Server, tmp_path: Path) -> Path:
    """The document the server answers, in a file."""
    answer = server.client().get("/-/openapi.json")
    assert answer.status == 200
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(answer.json))
    return path


def run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command``, which must succeed; its output is the failure's message."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def generated(document_path: Path, tmp_path: Path) -> Iterator[str]:
    """The package openapi-python-client generates, importable by its name for the test."""
    config = tmp_path / "generator.json"
    # No formatting of the output: the generated code is imported, not read.
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    output = tmp_path / "generated"
    output.mkdir()
    run(
        [
            GENERATOR,
            "generate",
            "--path",
            document_path,
            "--config",
            config,
            "--meta",
            "none",
            "--output-path",
            output / PACKAGE,
        ],
        tmp_path,
    )
    sys.path.insert(0, str(output))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(output))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_a_generated_python_client_creates_lists_and_fetches_documents(server, key, generated):
    client_module = importlib.import_module(generated)
    documents = importlib.import_module(f"{generated}.api.documents")
    models = importlib.import_module(f"{generated}.models")
    create, listing, fetch = (
        importlib.import_module(f"{documents.__name__}.content_documents_{name}")
        for name in ("post", "get", "item_get")
    )
    client = client_module.AuthenticatedClient(
        base_url=f"http://127.0.0.1:{server.port}", token=key, prefix="Token"
    )
    with client:
        body = models.DocumentCreate(title="Typed", tags=["generated"])
        created = create.sync(client=client, body=body)
        assert isinstance(created, models.Document)
        assert (created.title, created.tags, created.status) == (
            "Typed",
            ["generated"],
            models.DocumentStatus.DRAFT,
        )
        assert created.field_meta.version == 1

        page = listing.sync(client=client, page_size=10)
        assert isinstance(page, models.DocumentPage)
        assert (page.count, page.next_) == (1, None)
        [listed] = page.results
        assert isinstance(listed, models.Document)
        assert listed.field_meta.id == created.field_meta.id

        fetched = fetch.sync(id=created.field_meta.id, client=client)
        assert isinstance(fetched, models.Document)
        assert fetched.title == "Typed"
        assert fetched.field_meta.created == created.field_meta.created

        missing_one = fetch.sync(id="no-such-document", client=client)
        assert isinstance(missing_one, models.Error)
        assert missing_one.status == models.ErrorStatus.ERROR
        assert missing_one.errors[0].location == models.ErrorErrorsItemLocation.PATH


@pytest.fixture
def typescript_tools() -> Path:
    """The directory of ``openapi-typescript`` and ``tsc``, as ``npm ci`` installs them."""
    binaries = TOOLS / "node_modules" / ".bin"
    if shutil.which("node") is None:
        missing("Node.js", f"apt-get install nodejs npm, then {NPM_CI}")
    if not all((binaries / name).exists() for name in ("openapi-typescript", "tsc")):
        missing("The TypeScript tooling (openapi-typescript, tsc)", NPM_CI)
    return binaries


def test_typescript_types_generated_from_the_document_compile_with_their_usage(
    typescript_tools, document_path, tmp_path
):
    checked = tmp_path / "typescript"
    checked.mkdir()
    for name in ("usage.ts", "tsconfig.json"):
        shutil.copy(TOOLS / name, checked / name)
    generate = [typescript_tools / "openapi-typescript", document_path, "--default-non-nullable", "false"]
    run([*generate, "--output", checked / "schema.d.ts"], checked)
    assert "export interface paths" in (checked / "schema.d.ts").read_text()
    run([typescript_tools / "tsc", "--noEmit", "-p", checked], checked)
