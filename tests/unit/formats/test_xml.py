import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backrest.formats import MAX_DEPTH
from backrest.formats.xml import XMLError, parse_xml, render_xml

# Reading


def test_root_children_are_fields():
    assert parse_xml(b"<signup><email>a@example.com</email><name>Ada</name></signup>") == {
        "email": "a@example.com",
        "name": "Ada",
    }


def test_any_root_name_and_a_declaration():
    assert parse_xml(b'<?xml version="1.0" encoding="utf-8"?>\n<root><a>1</a></root>') == {"a": "1"}


def test_empty_root_is_an_empty_object():
    assert parse_xml(b"<root/>") == {}
    assert parse_xml(b"<root>\n  </root>") == {}


def test_nested_elements_are_objects():
    assert parse_xml(b"<r><address><city>X</city></address></r>") == {"address": {"city": "X"}}


def test_item_children_are_a_list():
    assert parse_xml(b"<r><tags><item>a</item><item>b</item></tags></r>") == {"tags": ["a", "b"]}


def test_one_item_is_a_list_of_one():
    assert parse_xml(b"<r><tags><item>a</item></tags></r>") == {"tags": ["a"]}


def test_repeated_elements_are_a_list():
    assert parse_xml(b"<r><tag>a</tag><tag>b</tag><tag>c</tag></r>") == {"tag": ["a", "b", "c"]}


def test_repeated_lists_stay_apart():
    body = b"<r><t><item>a</item></t><t><item>b</item></t></r>"
    assert parse_xml(body) == {"t": [["a"], ["b"]]}


def test_entry_names_a_key_that_is_no_element_name():
    assert parse_xml(b'<r><entry key="first name">Ada</entry><entry>x</entry></r>') == {
        "first name": "Ada",
        "entry": "x",
    }


def test_empty_elements_are_empty_strings():
    assert parse_xml(b"<r><a/><b></b></r>") == {"a": "", "b": ""}


def test_types_say_what_empty_elements_hold():
    body = b'<r><a type="array"/><o type="object"></o><n type="null"/><s type="string"/><u/></r>'
    assert parse_xml(body) == {"a": [], "o": {}, "n": None, "s": "", "u": ""}


def test_typed_scalars():
    body = (
        b'<r><t type="boolean">true</t><f type="boolean">false</f><i type="number">-42</i>'
        b'<x type="number">1.5e+300</x><s type="string">42</s></r>'
    )
    assert parse_xml(body) == {"t": True, "f": False, "i": -42, "x": 1.5e300, "s": "42"}


def test_numbers_keep_json_s_integers_and_floats_apart():
    parsed = parse_xml(b'<r><i type="number">1</i><f type="number">1.0</f></r>')
    assert (type(parsed["i"]), type(parsed["f"])) == (int, float)


def test_typed_containers_allow_whitespace_and_item_keys():
    body = b'<r><a type="array">\n  </a><o type="object"><item>x</item></o><l type="array"><item/></l></r>'
    assert parse_xml(body) == {"a": [], "o": {"item": "x"}, "l": [""]}


def test_typed_root():
    assert parse_xml(b'<root type="object"/>') == {}


def test_namespaced_type_attributes_are_ignored():
    assert parse_xml(b'<r xmlns:x="urn:x"><a x:type="number">1</a></r>') == {"a": "1"}


def test_text_keeps_its_whitespace_and_escapes():
    assert parse_xml(b"<r><a> x &amp; &lt;y&gt; </a></r>") == {"a": " x & <y> "}


def test_pretty_printed_documents():
    body = b"<r>\n  <a>1</a>\n  <b>\n    <item>2</item>\n  </b>\n</r>\n"
    assert parse_xml(body) == {"a": "1", "b": ["2"]}


def test_namespaces_attributes_comments_and_instructions_are_ignored():
    body = b'<r xmlns="urn:x"><!-- c --><a lang="en">1</a><?pi x?></r>'
    assert parse_xml(body) == {"a": "1"}


def test_declared_encodings_are_honoured():
    assert parse_xml('<?xml version="1.0" encoding="latin-1"?><r><a>é</a></r>'.encode("latin-1")) == {
        "a": "é"
    }
    assert parse_xml("<r><a>é</a></r>".encode("utf-16")) == {"a": "é"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Invalid XML"),
        (b"<r>", "Invalid XML"),
        (b"<r><a>1</r>", "Invalid XML"),
        (b"<r>\xff</r>", "Invalid XML"),
        (b"<r>&undefined;</r>", "Invalid XML"),
        (b"<r>&#0;</r>", "Invalid XML"),
        (b'<?xml version="1.0" encoding="nope"?><r/>', "Invalid XML"),
        (b"<r>text</r>", "must hold fields"),
        (b"<r><item>a</item></r>", "must hold fields"),
        (b"<r>text<a/></r>", "mixes text and elements"),
        (b"<r><a/>tail</r>", "mixes text and elements"),
        (b'<r><a type="integer">1</a></r>', "the type 'integer' is none of array, object"),
        (b'<r><a type="boolean">True</a></r>', "true or false"),
        (b'<r><a type="boolean"/></r>', "true or false"),
        (b'<r><a type="number">1e999</a></r>', "a finite number"),
        (b'<r><a type="number">' + b"9" * 5000 + b"</a></r>", "a finite number"),
        (b'<r><a type="number">0x10</a></r>', "a finite number"),
        (b'<r><a type="number">+1</a></r>', "a finite number"),
        (b'<r><a type="number"> 1</a></r>', "a finite number"),
        (b'<r><a type="null">x</a></r>', "null: it cannot hold text"),
        (b'<r><a type="null"><b/></a></r>', "cannot hold elements"),
        (b'<r><a type="string"><b/></a></r>', "cannot hold elements"),
        (b'<r><a type="array"><b/></a></r>', "may hold only <item>"),
        (b'<r><a type="array">text</a></r>', "mixes text and elements"),
        (b'<r><a type="object">text</a></r>', "mixes text and elements"),
        (b'<root type="null"/>', "must hold fields"),
        (b'<root type="array"/>', "must hold fields"),
    ],
)
def test_broken_or_unmappable_documents(body, message):
    with pytest.raises(XMLError, match=message):
        parse_xml(body)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz><a>&lol9;</a></lolz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<r><a>&secret;</a></r>"""
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd"><r><a>1</a></r>'
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/x"> %remote;]><r/>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY])
def test_dtds_and_entities_are_refused(body):
    with pytest.raises(XMLError, match="DTD, entities or external references are refused"):
        parse_xml(body)


def nested(depth: int) -> bytes:
    return b"<a>" * depth + b"x" + b"</a>" * depth


def test_depth_limit():
    assert parse_xml(nested(MAX_DEPTH))
    with pytest.raises(XMLError, match="nested deeper"):
        parse_xml(nested(MAX_DEPTH + 1))


def test_very_deep_documents_are_refused_without_recursing():
    with pytest.raises(XMLError, match="nested deeper"):
        parse_xml(nested(100_000))


# Writing


def test_render_object():
    assert render_xml({"name": "Ada", "age": 36, "score": 1.5, "admin": False, "boss": None}) == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<root><name>Ada</name><age type="number">36</age><score type="number">1.5</score>'
        '<admin type="boolean">false</admin><boss type="null" /></root>'
    )


def test_render_empty_lists_and_objects_with_their_type():
    rendered = render_xml({"tags": [], "attributes": {}, "body": ""})
    assert rendered.endswith('<root><tags type="array" /><attributes type="object" /><body /></root>')
    assert parse_xml(rendered.encode()) == {"tags": [], "attributes": {}, "body": ""}


def test_render_lists_as_items():
    assert "<tags><item>a</item><item>b</item></tags>" in render_xml({"tags": ["a", "b"]})


def test_render_top_level_list_and_scalar():
    assert render_xml([1, True]).endswith(
        '<root><item type="number">1</item><item type="boolean">true</item></root>'
    )
    assert render_xml("x").endswith("<root>x</root>")


def test_render_meta_keys_as_elements():
    assert "<__meta__><id>x</id></__meta__>" in render_xml({"__meta__": {"id": "x"}})


@pytest.mark.parametrize(
    "key", ["first name", "1st", "xml", "XMLish", "a:b", "é", "<b>", "item", "entry", ""]
)
def test_render_keys_that_are_no_element_names_as_entries(key):
    rendered = render_xml({key: "v"})
    assert parse_xml(rendered.encode()) == {key: "v"}
    assert "<entry key=" in rendered


def test_render_escapes_text():
    rendered = render_xml({"a": "<script>&\"'"})
    assert "<a>&lt;script&gt;&amp;\"'</a>" in rendered


def test_render_datetimes_as_timestamps():
    when = datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=UTC)
    assert "<when>2026-11-22T10:00:00.123456Z</when>" in render_xml({"when": when})


def test_render_keeps_carriage_returns():
    rendered = render_xml({"body": "a\r\nb\rc", "a\rb": "x"})
    assert "<body>a&#13;\nb&#13;c</body>" in rendered
    assert parse_xml(rendered.encode()) == {"body": "a\r\nb\rc", "a\rb": "x"}


def test_render_replaces_characters_xml_cannot_carry():
    rendered = render_xml({"a\x01": "x\x00y\ud800", "b": "tab\tok"})
    assert parse_xml(rendered.encode()) == {"a\ufffd": "x\ufffdy\ufffd", "b": "tab\tok"}


# Properties

# Any JSON survives the trip, but for the characters that XML 1.0 cannot
# carry at all (they become U+FFFD).
XML_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
    | st.sampled_from("\t\n\r"),
    max_size=10,
)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | XML_TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(XML_TEXT, children, max_size=4),
    max_leaves=20,
)


# Generating nested values costs more than checking them: a modest count.
@settings(max_examples=50)
@given(st.dictionaries(XML_TEXT, VALUES, max_size=5))
def test_round_trip(value):
    assert parse_xml(render_xml(value).encode()) == value


@given(st.binary(max_size=200))
def test_any_bytes_parse_or_raise_xml_error(raw):
    with contextlib.suppress(XMLError):
        assert isinstance(parse_xml(raw), dict)


@given(st.text(alphabet="<>/a b=\"'&;#x!?-[]ENTITYDOC", max_size=60))
def test_any_markup_parses_or_raises_xml_error(text):
    with contextlib.suppress(XMLError):
        assert isinstance(parse_xml(text.encode()), dict)
