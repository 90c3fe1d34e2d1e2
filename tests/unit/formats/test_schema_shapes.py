"""What backrest.schema makes of the shapes only some formats send: a form's empty group, a null."""

import colander
import pytest

from backrest.formats.forms import EmptyGroup
from backrest.schema import Body, NullableNode, text_node


class Attributes(Body):
    color = text_node(missing=colander.drop)


class Bookmark(Body):
    url = text_node(max_length=20)
    folder = text_node(max_length=5, missing=None)
    attributes = Attributes(missing={})
    tags = colander.SchemaNode(colander.Sequence(), text_node(name="tag"), missing=())


def errors(schema: colander.SchemaNode, cstruct) -> dict[str, str]:
    with pytest.raises(colander.Invalid) as caught:
        schema.deserialize(cstruct)
    return caught.value.asdict()


# Null


def test_a_text_whose_default_is_null_is_nullable():
    assert isinstance(Bookmark()["folder"], NullableNode)
    assert not isinstance(Bookmark()["url"], NullableNode)


def test_nullable_text_takes_null():
    assert Bookmark().deserialize({"url": "u", "folder": None})["folder"] is None


def test_null_is_a_value_where_a_missing_field_is_dropped():
    # As in an update, where every field is optional: null clears the field.
    schema = Bookmark()
    schema["folder"].missing = colander.drop
    assert schema.deserialize({"url": "u", "folder": None})["folder"] is None
    assert "folder" not in schema.deserialize({"url": "u"})


def test_validators_do_not_see_null_but_see_text():
    assert errors(Bookmark(), {"url": "u", "folder": "toolong"}) == {"folder": "Longer than maximum length 5"}


def test_other_texts_refuse_null():
    assert errors(Bookmark(), {"url": None}) == {"url": "Must be a string."}


# A form's empty group


def test_an_empty_group_is_an_empty_object_or_list():
    deserialized = Bookmark().deserialize({"url": "u", "attributes": EmptyGroup(), "tags": EmptyGroup()})
    assert (deserialized["attributes"], deserialized["tags"]) == ({}, [])


def test_a_json_list_is_still_no_object():
    assert "is not a mapping type" in errors(Bookmark(), {"url": "u", "attributes": []})["attributes"]
