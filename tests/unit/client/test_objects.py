import pytest

from backrest.client import Resource
from backrest.client.objects import etag_of, wrap

DOCUMENT = {
    "title": "Engine notes",
    "tags": ["engine"],
    "attributes": {"language": "en", "priority": 2},
    "history": [{"by": "ada"}, {"by": "bob"}],
    "content-type": "text/plain",
    "__meta__": {"id": "abc", "version": 3},
}


def test_keys_are_attributes_nested_objects_too():
    document = wrap(DOCUMENT, '"etag"')
    assert document.title == "Engine notes"
    assert document.attributes.language == "en"
    assert document.tags == ["engine"]
    assert [entry.by for entry in document.history] == ["ada", "bob"]
    assert document["content-type"] == "text/plain"
    assert document.__meta__.version == 3
    assert "title" in document
    assert "missing" not in document
    assert list(document)[:2] == ["title", "tags"]
    assert {"title", "attributes", "history"} <= set(dir(document))


def test_the_id_is_the_public_one():
    assert wrap(DOCUMENT).id == "abc"
    # Objects that are not content (an API key) carry their id as a key.
    assert wrap({"id": "key-1", "name": "ci"}).id == "key-1"
    assert wrap({"name": "nothing"}).id is None


def test_json_gives_the_data_back_as_a_copy():
    document = wrap(DOCUMENT)
    data = document.json()
    assert data == DOCUMENT
    data["attributes"]["language"] = "fr"
    assert document.attributes.language == "en"


def test_an_unknown_attribute_names_the_keys():
    with pytest.raises(AttributeError, match=r"no 'colour' here \(keys: language, priority\)"):
        _ = wrap(DOCUMENT).attributes.colour


def test_objects_are_read_only():
    document = wrap(DOCUMENT)
    with pytest.raises(AttributeError, match="read-only"):
        document.title = "Other"


def test_equal_data_is_equal_and_etags_stay_with_the_answer():
    assert wrap(DOCUMENT, '"one"') == wrap(DOCUMENT)
    assert wrap(DOCUMENT) != wrap({"title": "Other"})
    assert etag_of(wrap(DOCUMENT, '"one"')) == '"one"'
    # Nested objects and objects from lists were not answered with an ETag of their own.
    assert etag_of(wrap(DOCUMENT, '"one"').attributes) is None


def test_scalars_and_lists_wrap_as_they_are():
    assert wrap(3) == 3
    assert wrap(None) is None
    assert wrap([{"a": 1}, 2]) == [Resource({"a": 1}), 2]
    assert repr(wrap({"a": 1})) == "Resource({'a': 1})"
