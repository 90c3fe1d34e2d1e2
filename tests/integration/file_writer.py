"""The child process of ``test_file_faults``: writers that upload and commit files until they are killed.

Run as ``python -m tests.integration.file_writer SETTINGS_JSON OPLOG``. Importing
the application and building it takes seconds, and the test kills a writer
dozens of times, so this process builds it once, creates an account and logs in
(WebTest, through the whole application), lets go of its database connections,
and then forks a fresh writer whenever asked. It answers its standard input,
one line at a time:

``fork SEED``  start a writer, answer its pid. The writer uploads new and
               repeated content, replaces files' data and deletes files,
               through the application's full request and transaction path,
               appending the name of each operation it completed to OPLOG,
               until it is killed (on any unexpected answer it exits with 1);
``reap PID``   wait for that writer to end, answer ``signal N`` or ``exit N``.

It exits at the end of its input.
"""

from __future__ import annotations

import json
import os
import random
import sys
import traceback
from typing import Any

from backrest import main
from backrest.accounts.models import User
from tests.client import Browser
from tests.conftest import PASSWORD

EMAIL = "writer@example.com"
MIB = 1024 * 1024
KEPT = 24
"""About how many files a writer keeps: past this it deletes more than it creates."""
LIST = "/-/files/?page_size=100"

REPEATED = [
    random.Random(size).randbytes(size) for size in (0, 10, 5_000, 100_000, int(1.2 * MIB), int(2.5 * MIB))
]
"""Contents uploaded again and again (deduplicated to one blob each); seeded, so the same in every writer."""


def new_content(rng: random.Random) -> bytes:
    """Content never uploaded before: mostly small, a quarter of it over 1 MiB (received in chunks)."""
    size = rng.randint(MIB + 1, 2 * MIB) if rng.random() < 0.25 else rng.randint(1, 64 * 1024)
    return rng.randbytes(size)


def content(rng: random.Random) -> bytes:
    return rng.choice(REPEATED) if rng.random() < 0.5 else new_content(rng)


def create(browser: Browser, rng: random.Random, ids: list[str]) -> str:
    data = content(rng)
    reply = browser.post(
        "/-/files/",
        {"description": f"{len(data)} bytes"},
        upload_files=[("file", f"upload-{rng.randrange(1000)}.bin", data, "application/octet-stream")],
        status=201,
    )
    ids.append(reply.json["__meta__"]["id"])
    return "create"


def replace(browser: Browser, rng: random.Random, ids: list[str]) -> str:
    browser.put(
        f"/-/files/{rng.choice(ids)}/data",
        content(rng),
        headers={"Content-Type": "application/octet-stream"},
        status=200,
    )
    return "replace"


def delete(browser: Browser, rng: random.Random, ids: list[str]) -> str:
    identifier = ids.pop(rng.randrange(len(ids)))
    browser.delete(f"/-/files/{identifier}", status=204)
    return "delete"


def write_forever(browser: Browser, seed: int, oplog: int, parent: int) -> None:
    rng = random.Random(seed)
    ids = [item["__meta__"]["id"] for item in browser.get(LIST, status=200).json["results"]]
    # Until killed, or orphaned: a writer never outlives the process that forked it.
    while os.getppid() == parent:
        if not ids:
            operation = create
        else:
            deleting = 0.4 if len(ids) > KEPT else 0.15
            operation = rng.choices([create, replace, delete], [0.5, 0.35, deleting])[0]
        done = operation(browser, rng, ids)
        os.write(oplog, f"{done}\n".encode())


def writer(browser: Browser, seed: int, oplog_path: str, parent: int) -> None:
    """The body of a forked writer: never returns (exits 0 if orphaned, 1 on an error)."""
    status = 1
    try:
        oplog = os.open(oplog_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        write_forever(browser, seed, oplog, parent)
        status = 0
    except BaseException:  # noqa: BLE001 - whatever it was, the test must hear of it
        traceback.print_exc()
        sys.stderr.flush()
    os._exit(status)


def logged_in(app: Any) -> Browser:
    """A browser logged in as the writers' account, created (confirmed) if it is not there yet."""
    with app.registry["dbsession_factory"]() as dbsession:
        if dbsession.query(User).filter_by(email=EMAIL).one_or_none() is None:
            password_hash = app.registry["passwords"].hash(PASSWORD)
            dbsession.add(User(email=EMAIL, password_hash=password_hash, email_verified=True))
            dbsession.commit()
    browser = Browser(app, extra_environ={"REMOTE_ADDR": "192.0.2.50", "HTTP_USER_AGENT": "file_writer"})
    browser.login(EMAIL, PASSWORD, status=200)
    return browser


def answer(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def serve(settings: dict[str, str], oplog_path: str) -> None:
    app = main({}, **settings)
    browser = logged_in(app)
    # Each writer opens its own connections: none may be shared across a fork.
    app.registry["db_engine"].dispose()
    answer("ready")
    for line in sys.stdin:
        command, argument = line.split()
        if command == "fork":
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:
                writer(browser, int(argument), oplog_path, parent)
            answer(str(pid))
        elif command == "reap":
            _, wait_status = os.waitpid(int(argument), 0)
            signal = os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else None
            answer(
                f"signal {signal}" if signal is not None else f"exit {os.waitstatus_to_exitcode(wait_status)}"
            )
        else:
            answer(f"unknown command {command}")


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]), sys.argv[2])
