from pyramid.config import Configurator
from pyramid.interfaces import IRequestExtensions
from webtest import TestApp

from backrest.request import request_class


def make_app(seen: list[tuple[type, int, str]]) -> TestApp:
    made = iter(range(1000))

    def view(request):
        seen.append((type(request), request.counted, request.shout("hi")))
        return request.response

    with Configurator() as config:
        config.add_request_method(lambda _request: next(made), "counted", reify=True)
        config.add_request_method(lambda _request, word: word.upper(), "shout")
        config.add_route("home", "/")
        config.add_view(view, route_name="home")
        config.commit()
        config.set_request_factory(request_class(config.registry))
    return TestApp(config.make_wsgi_app())


def test_every_request_is_of_one_class_with_the_request_methods():
    seen: list[tuple[type, int, str]] = []
    app = make_app(seen)
    app.get("/")
    app.get("/")
    [(first, one, shouted), (second, two, _)] = seen
    assert first is second
    assert (one, two, shouted) == (0, 1, "HI")


def test_nothing_is_left_to_apply_per_request():
    with Configurator() as config:
        config.add_request_method(lambda _request: 1, "one", reify=True)
        config.commit()
        made = request_class(config.registry)
        extensions = config.registry.queryUtility(IRequestExtensions)
    assert (extensions.descriptors, extensions.methods) == ({}, {})
    assert made.blank("/").one == 1


def test_the_query_variables_follow_the_query_string_and_stay_out_of_the_environ():
    made = request_class(Configurator().registry)
    request = made.blank("/?a=1&a=2&b=%C3%A9")
    parsed = request.GET
    assert (parsed.getall("a"), parsed["b"]) == (["1", "2"], "é")
    assert request.GET is parsed
    assert not any(key.startswith("webob.") for key in request.environ)
    request.environ["QUERY_STRING"] = "c=3"
    assert dict(request.GET) == {"c": "3"}


def test_changing_the_query_variables_changes_the_query_string():
    request = request_class(Configurator().registry).blank("/?a=1")
    request.GET["b"] = "2"
    assert request.environ["QUERY_STRING"] == "a=1&b=2"
    assert dict(request.GET) == {"a": "1", "b": "2"}
