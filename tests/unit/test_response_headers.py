from webob import Response

from backrest.response_headers import add_to_list, set_headers


def test_set_headers_replaces_those_of_the_same_name_in_any_case_and_keeps_the_rest():
    response = Response(headers={"etag": '"old"', "X-Other": "kept"})
    set_headers(response, [("ETag", '"new"'), ("Cache-Control", "no-cache")])
    assert response.headers.getall("ETag") == ['"new"']
    assert response.headers["X-Other"] == "kept"
    assert response.headers["Cache-Control"] == "no-cache"


def test_add_to_list_adds_a_value_once():
    response = Response(headers={"Vary": "Accept, origin"})
    add_to_list(response, "Vary", "Origin")
    add_to_list(response, "Vary", "Cookie")
    assert response.headers.getall("Vary") == ["Accept, origin, Cookie"]


def test_add_to_list_starts_the_header_when_there_is_none():
    response = Response()
    add_to_list(response, "Vary", "Origin")
    assert response.headers["Vary"] == "Origin"
