"""XML request bodies in, XML responses out, by one simple mapping.

Reading (:func:`parse_xml`) gives the dict a JSON body would:

- the root element, whatever its name, holds the fields;
- a child element is a key and its content the value: text is a string
  (``<a/>`` is ``""``), child elements make an object;
- an element whose children are all ``<item>`` is a list; a name repeated
  among siblings is a list of their values;
- ``<entry key="first name">`` stands for a key that is no XML name;
- namespaces, other attributes, comments and processing instructions are
  ignored; text beside child elements (other than whitespace) is an error.

Values are strings, as from a form: the types of :mod:`backrest.schema` read
``"42"`` as an integer and ``"true"`` as a flag.

Writing (:func:`render_xml`) mirrors it: the root is ``<root>``; a key is an
element, or ``<entry key="...">`` when it is no XML name (spaces, a leading
digit, ``xml...``) or could be misread (``item``, ``entry``); list items are
``<item>``; booleans are ``true``/``false``, numbers as JSON writes them,
datetimes as the JSON renderer's timestamps; ``null`` and empty strings,
lists and objects are empty elements. Characters XML 1.0 cannot carry at all
(control characters, lone surrogates) become U+FFFD.

Parsing goes through defusedxml with DTDs refused outright: no entity
expansion (billion laughs), no external entities or DTDs (XXE). Writing uses
the standard library's ElementTree, which escapes text and attributes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from backrest.formats import MAX_DEPTH
from backrest.renderers import timestamp

ROOT = "root"
ITEM = "item"
ENTRY = "entry"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# A conservative subset of XML's Name production, without namespaces.
ELEMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
NOT_XML_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class XMLError(ValueError):
    """The body is not XML that maps to an object."""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _key(element: ET.Element) -> str:
    name = _local(element.tag)
    return element.get("key", name) if name == ENTRY else name


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _value(element: ET.Element, depth: int) -> Any:
    if depth > MAX_DEPTH:
        msg = f"The XML document is nested deeper than {MAX_DEPTH} levels."
        raise XMLError(msg)
    children = list(element)
    if not children:
        return element.text or ""
    if not (_blank(element.text) and all(_blank(child.tail) for child in children)):
        msg = f"<{_local(element.tag)}> mixes text and elements."
        raise XMLError(msg)
    if all(_local(child.tag) == ITEM for child in children):
        return [_value(child, depth + 1) for child in children]
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


def parse_xml(raw: bytes) -> dict[str, Any]:
    """The object an XML document describes; raises :class:`XMLError`."""
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
    if isinstance(value, str) and _blank(value):
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


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(_child(element, str(key)), child)
    elif isinstance(value, list | tuple):
        for child in value:
            _fill(ET.SubElement(element, ITEM), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, int | float):
        element.text = json.dumps(value)
    elif isinstance(value, datetime):
        element.text = timestamp(value)
    elif value is not None:
        element.text = _text(str(value))


def render_xml(value: Any) -> str:
    """``value`` (JSON-like, datetimes allowed) as an XML document."""
    root = ET.Element(ROOT)
    _fill(root, value)
    return DECLARATION + ET.tostring(root, encoding="unicode")
