"""The client sends back the position its last write was answered with, so that it reads what it wrote."""

from __future__ import annotations

import httpx

from backrest.client.transport import POSITION, Options, Pool, ResponseCache, Transport

ROOT = "https://api.example/-/"


def transport(answers: dict[str, dict[str, str]], sent: list[httpx.Request]) -> Transport:
    """A transport whose server answers each method with ``answers[method]`` as headers."""

    def serve(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={}, headers=answers.get(request.method, {}))

    pool = Pool()
    pool.http.close()
    pool.http = httpx.Client(transport=httpx.MockTransport(serve))
    return Transport(pool, Options(), ROOT, ResponseCache())


def test_requests_after_a_write_carry_its_position():
    sent: list[httpx.Request] = []
    client = transport({"POST": {POSITION: "0/3000F28"}}, sent)
    client.request("GET", f"{ROOT}documents/")
    client.request("POST", f"{ROOT}documents/", json={"title": "A title"})
    client.request("GET", f"{ROOT}documents/")
    assert [request.headers.get(POSITION) for request in sent] == [None, None, "0/3000F28"]


def test_the_latest_position_replaces_the_one_before():
    sent: list[httpx.Request] = []
    client = transport({"POST": {POSITION: "0/3000F28"}, "PUT": {POSITION: "0/3001000"}}, sent)
    client.request("POST", f"{ROOT}documents/", json={"title": "A title"})
    client.request("PUT", f"{ROOT}documents/1", json={"title": "Another"})
    client.request("GET", f"{ROOT}documents/1")
    assert sent[-1].headers[POSITION] == "0/3001000"
