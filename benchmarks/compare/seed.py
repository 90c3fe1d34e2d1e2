"""Seeds the side-by-side benchmark's database through backrest's own code.

``seed.py IDS_FILE BENCH_LIB``: makes the schema with backrest's migrations,
the benchmark's user (``USERNAME@example.com``, its password), and the
10 000 records of ``lib/dataset.py`` as documents they own; writes their ids
to IDS_FILE, one per line, and an API key of the user, as an
``Authorization: Token`` header line, to file descriptor 3: the one header
the benchmark sends authenticates reads and writes alike (a session cookie
would need its CSRF token on writes).
"""

from __future__ import annotations

import os
import sys

from sqlalchemy.orm import Session
from webtest import TestApp

from backrest.accounts.models import User
from backrest.db import utcnow
from backrest.migrations import upgrade
from backrest.types.documents import Document
from benchmarks.compare.wsgi import application


def main(ids_file: str, lib: str) -> None:
    sys.path.insert(0, lib)
    import dataset  # noqa: PLC0415 - the benchmark's own data, found at run time

    registry = application.registry
    engine = registry["db_engine"]
    upgrade(engine)
    email = f"{dataset.USERNAME}@example.com"
    with Session(engine) as session, session.begin():
        user = User(
            email=email,
            password_hash=registry["passwords"].hash(dataset.PASSWORD),
            email_verified=True,
        )
        session.add(user)
        session.flush()
        # Each written at its own moment, as the peers' are (their default: now()).
        documents = [
            Document(owner_id=user.id, created=utcnow(), modified=utcnow(), **record)
            for record in dataset.records()
        ]
        session.add_all(documents)
        session.flush()
        ids = [document.id for document in documents]
    with open(ids_file, "w") as out:  # noqa: PTH123
        out.writelines(f"{one}\n" for one in ids)
    browser = TestApp(application, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    login = browser.put_json("/-/login", {"login": email, "password": dataset.PASSWORD})
    csrf = {"X-CSRF-Token": login.json["csrf_token"]}
    made = browser.post_json("/-/keys", {"name": "benchmark"}, headers=csrf)
    os.write(3, f"Authorization: Token {made.json['key']}\n".encode())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
