"""XML request bodies in, XML responses out, by one simple mapping.

Reading (:func:`parse_xml`) gives the dict a JSON body would:

- the root element, whatever its name, holds the fields;
- a child element is a key and its content the value: text is a string
  (``<a/>`` is ``""``), child elements make an object;
- an element whose children are all ``<item>`` is a list; a name repeated
  among siblings is a list of their values;
- ``<entry key="first name">`` stands for a key that is no XML name;
- a ``type`` attribute says what an element holds where its content alone
  cannot (:data:`TYPES`): ``array`` and ``object`` (also when empty),
  ``null``, ``boolean`` (``true``/``false``), ``number`` (as JSON writes it),
  ``string``. Content that does not fit its type is an error;
- namespaces, other attributes, comments and processing instructions are
  ignored; text beside child elements (other than whitespace) is an error.

Untyped values are strings, as from a form: the types of
:mod:`backrest.schema` read ``"42"`` as an integer and ``"true"`` as a flag.

Writing (:func:`render_xml`) mirrors it, so that what it writes reads back as
the same JSON (API section 3: a representation is posted back as it came).
The root is ``<root>``; a key is an element, or ``<entry key="...">`` when it
is no XML name (spaces, a leading digit, ``xml...``) or could be misread
(``item``, ``entry``); list items are ``<item>``; empty lists and objects,
``null``, booleans and numbers carry their ``type``; strings and datetimes
(as the JSON renderer's timestamps) are text. Characters XML 1.0 cannot carry
at all (control characters, lone surrogates) become U+FFFD.

Parsing goes through defusedxml with DTDs refused outright: no entity
expansion (billion laughs), no external entities or DTDs (XXE). Writing uses
the standard library's ElementTree, which escapes text and attributes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from backrest.formats import MAX_DEPTH
from backrest.renderers import timestamp

ROOT = "root"
ITEM = "item"
ENTRY = "entry"
TYPE = "type"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# A conservative subset of XML's Name production, without namespaces.
ELEMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
NOT_XML_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# JSON's number grammar: what ``type="number"`` holds, and what the writer gives it.
JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
BOOLEANS = {"true": True, "false": False}


class XMLError(ValueError):
    """The body is not XML that maps to an object."""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _key(element: ET.Element) -> str:
    name = _local(element.tag)
    return element.get("key", name) if name == ENTRY else name


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _without_text(element: ET.Element, children: list[ET.Element]) -> None:
    if not (_blank(element.text) and all(_blank(child.tail) for child in children)):
        msg = f"<{_local(element.tag)}> mixes text and elements."
        raise XMLError(msg)


def _leaf_text(element: ET.Element, children: list[ET.Element]) -> str:
    if children:
        msg = f'<{_local(element.tag)} type="{element.get(TYPE)}"> cannot hold elements.'
        raise XMLError(msg)
    return element.text or ""


def _items(element: ET.Element, children: list[ET.Element], depth: int) -> list[Any]:
    _without_text(element, children)
    if not all(_local(child.tag) == ITEM for child in children):
        msg = f"<{_local(element.tag)}> is an array: it may hold only <{ITEM}> elements."
        raise XMLError(msg)
    return [_value(child, depth + 1) for child in children]


def _fields(element: ET.Element, children: list[ET.Element], depth: int) -> dict[str, Any]:
    _without_text(element, children)
    fields: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in children:
        key, value = _key(child), _value(child, depth + 1)
        if key in repeated:
            fields[key].append(value)
        elif key in fields:
            fields[key] = [fields[key], value]
            repeated.add(key)
        else:
            fields[key] = value
    return fields


def _null(element: ET.Element, children: list[ET.Element], depth: int) -> None:
    if not _blank(_leaf_text(element, children)):
        msg = f"<{_local(element.tag)}> is null: it cannot hold text."
        raise XMLError(msg)


def _boolean(element: ET.Element, children: list[ET.Element], depth: int) -> bool:
    text = _leaf_text(element, children)
    if text not in BOOLEANS:
        msg = f"<{_local(element.tag)}> is a boolean: true or false, not {text!r}."
        raise XMLError(msg)
    return BOOLEANS[text]


def _json_number(text: str) -> int | float | None:
    """``text`` read as a JSON body's number would be (an int or a float); ``None`` if it is none.

    Python refuses integers of more than 4300 digits (a ValueError), and a
    float too large to hold is no finite number.
    """
    if not JSON_NUMBER.fullmatch(text):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, int) or math.isfinite(value) else None


def _number(element: ET.Element, children: list[ET.Element], depth: int) -> int | float:
    text = _leaf_text(element, children)
    value = _json_number(text)
    if value is None:
        msg = f"<{_local(element.tag)}> is a number: a finite number as JSON writes it, not {text[:40]!r}."
        raise XMLError(msg)
    return value


def _string(element: ET.Element, children: list[ET.Element], depth: int) -> str:
    return _leaf_text(element, children)


def _untyped(element: ET.Element, children: list[ET.Element], depth: int) -> Any:
    if not children:
        return element.text or ""
    if all(_local(child.tag) == ITEM for child in children):
        return _items(element, children, depth)
    return _fields(element, children, depth)


# What each ``type`` reads; the names are JSON's (and JSON Schema's) type names.
TYPES: dict[str, Callable[[ET.Element, list[ET.Element], int], Any]] = {
    "array": _items,
    "object": _fields,
    "null": _null,
    "boolean": _boolean,
    "number": _number,
    "string": _string,
}


def _value(element: ET.Element, depth: int) -> Any:
    if depth > MAX_DEPTH:
        msg = f"The XML document is nested deeper than {MAX_DEPTH} levels."
        raise XMLError(msg)
    kind = element.get(TYPE)
    if kind is None:
        return _untyped(element, list(element), depth)
    if kind not in TYPES:
        msg = f"<{_local(element.tag)}>: the type {kind[:40]!r} is none of {', '.join(TYPES)}."
        raise XMLError(msg)
    return TYPES[kind](element, list(element), depth)


def parse_xml(raw: bytes) -> dict[str, Any]:
    """The object an XML document describes; raises :class:`XMLError`."""
    # Imported at the first XML body: most processes never read one.
    from defusedxml import DefusedXmlException  # noqa: PLC0415
    from defusedxml.ElementTree import fromstring  # noqa: PLC0415

    try:
        root = fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as error:
        msg = "XML documents with a DTD, entities or external references are refused."
        raise XMLError(msg) from error
    # ParseError for broken XML, LookupError and ValueError for encodings
    # that expat cannot read.
    except (ET.ParseError, LookupError, ValueError) as error:
        msg = f"Invalid XML: {error}"
        raise XMLError(msg) from error
    value = _value(root, 1)
    if isinstance(value, str) and _blank(value) and root.get(TYPE) is None:
        return {}
    if not isinstance(value, dict):
        msg = "The XML document must hold fields, not a text or a list of items."
        raise XMLError(msg)
    return value


def _text(value: str) -> str:
    return NOT_XML_CHARACTERS.sub("\ufffd", value)


def _child(parent: ET.Element, key: str) -> ET.Element:
    if ELEMENT_NAME.fullmatch(key) and not key.lower().startswith("xml") and key not in {ITEM, ENTRY}:
        return ET.SubElement(parent, key)
    return ET.SubElement(parent, ENTRY, key=_text(key))


def _scalar(value: Any) -> tuple[str | None, str | None]:
    """The ``type`` (``None`` for text) and the text of a value that is no list or object."""
    if value is None:
        return "null", None
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int | float):
        return "number", json.dumps(value)
    if isinstance(value, datetime):
        return None, timestamp(value)
    return None, _text(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(_child(element, str(key)), child)
        kind, text = (None if value else "object"), None
    elif isinstance(value, list | tuple):
        for child in value:
            _fill(ET.SubElement(element, ITEM), child)
        kind, text = (None if value else "array"), None
    else:
        kind, text = _scalar(value)
    if kind is not None:
        element.set(TYPE, kind)
    element.text = text


def render_xml(value: Any) -> str:
    """``value`` (JSON-like, datetimes allowed) as an XML document."""
    root = ET.Element(ROOT)
    _fill(root, value)
    # A parser reads a raw carriage return in text as a line feed: the
    # character reference keeps it. ElementTree escapes it in attributes
    # only, and element names never hold one.
    return DECLARATION + ET.tostring(root, encoding="unicode").replace("\r", "&#13;")
