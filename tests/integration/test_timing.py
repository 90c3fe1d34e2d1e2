"""What a stranger may learn from how long an answer takes: not whether an address has an account.

``POST /-/signup``, ``POST /-/reset/`` and ``POST /-/confirm/resend`` answer
the same for every address; these tests check, over real HTTP against a
server configured like development.ini, that they also take about as long.
Requests for a known and an unknown address go in pairs, so that whatever
else the machine does weighs on both alike: the median of the differences
within pairs must stay within a fifth of the median time, in one of a few
rounds (a busy machine may spoil one).
"""

from __future__ import annotations

import itertools
import statistics
import time
from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD, UNREACHED_RATES
from tests.integration.test_server import running_server, signup

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.integration.test_server import Client, Server

SAMPLES = 20
WARM_UP = 3
ROUNDS = 5
TOLERANCE = 0.2

DEVELOPMENT_HASHING = {
    # development.ini's argon2id parameters: the signup's hash costs what it costs there.
    "backrest.password.argon2.time_cost": "2",
    "backrest.password.argon2.memory_cost": "19456",
    "backrest.password.argon2.parallelism": "1",
}
BRUTE_FORCE_SCOPES = ("signup", "signup_account", "reset", "reset_account", "resend", "resend_account")


@pytest.fixture
def server(clean_database: str, tmp_path: Path) -> Iterator[Server]:
    rates = {f"backrest.throttle.{scope}": "100000/hour" for scope in BRUTE_FORCE_SCOPES}
    with running_server(
        tmp_path, clean_database, **UNREACHED_RATES, **rates, **DEVELOPMENT_HASHING
    ) as server:
        yield server


def timed(client: Client, path: str, body: dict[str, str], status: int) -> float:
    started = time.perf_counter()
    reply = client.post(path, body)
    elapsed = time.perf_counter() - started
    assert (reply.status, reply.json) == (status, {"status": "success"})
    return elapsed


def unknown_addresses() -> Iterator[str]:
    return (f"stranger{number}@example.com" for number in itertools.count())


def assert_alike(
    client: Client,
    path: str,
    known: Callable[[], dict[str, str]],
    unknown: Callable[[], dict[str, str]],
    status: int,
) -> None:
    """Known and unknown addresses' times of ``path`` differ by at most ``TOLERANCE``, in median."""
    for _ in range(WARM_UP):
        timed(client, path, known(), status)
        timed(client, path, unknown(), status)
    rounds = []
    for _ in range(ROUNDS):
        differences, times = [], []
        for number in range(SAMPLES):
            # Either may go first: the second of a pair may find the first's mail still being written.
            first, second = (known, unknown) if number % 2 else (unknown, known)
            pair = [timed(client, path, first(), status), timed(client, path, second(), status)]
            known_time, unknown_time = pair if number % 2 else pair[::-1]
            differences.append(known_time - unknown_time)
            times.extend(pair)
        difference, typical = statistics.median(differences), statistics.median(times)
        rounds.append(f"{difference * 1000:+.2f} of {typical * 1000:.2f}")
        if abs(difference) <= TOLERANCE * typical:
            return
    pytest.fail(f"{path}: median ms of known minus unknown, of the median time, per round: {rounds}")


@pytest.mark.parametrize(
    ("path", "fields", "status"),
    [("/-/reset/", {}, 200), ("/-/confirm/resend", {}, 200), ("/-/signup", {"password": PASSWORD}, 201)],
)
def test_an_answer_takes_as_long_whether_the_address_has_an_account(server, path, fields, status):
    client = server.client()
    signup(client)
    strangers = unknown_addresses()
    assert_alike(
        client,
        path,
        lambda: {"email": "ada@example.com", **fields},
        lambda: {"email": next(strangers), **fields},
        status,
    )
