"""Form fields to nested structures by dotted names, and back (API section 6).

An HTML form sends flat ``name=value`` pairs; :func:`decode_form` reads the
names as paths into one JSON-like object:

- ``address.city=X`` is ``{"address": {"city": "X"}}``;
- ``tags.0=a&tags.1=b`` is ``{"tags": ["a", "b"]}``: a group whose names are
  all indexes is a list. Indexes run ``0, 1, 2...`` without gaps and without
  leading zeros, so an index can never ask for more items than were sent;
- a name sent more than once gives all its values, in order:
  ``tags=a&tags=b`` is ``{"tags": ["a", "b"]}``. Where a schema wants one value
  (a string, a number, a boolean), the types of :mod:`backrest.schema` take the
  last one, which is the hidden-field-plus-checkbox idiom (``flag=0&flag=1``);
- ``tags.=`` (nothing after the dot) says that ``tags`` is a group even when
  nothing else is sent: alone it is an empty group (:class:`EmptyGroup`), an
  empty list, or an empty object where a schema wants one (a form cannot
  tell them apart); beside ``tags=a`` it makes a list of the plain values
  (``["a"]``, one value included), so a group of checkboxes with none ticked
  is an empty list; beside ``tags.0`` or ``tags.city`` it adds nothing. Its
  value is ignored.

Anything else is a :class:`FormError` naming the field: a name that is both a
value and a group (``a=1&a.b=2``), a group mixing indexes and names, a gap in
the indexes (``tags.5`` alone, ``tags.999999999``), an empty name or name part,
a name nested deeper than :data:`~backrest.formats.MAX_DEPTH`, a top level
that is a list. Object keys that are all digits cannot be sent: they read as
indexes.

Writing (:func:`encode_form`) gives the fields that read back as a JSON
object: indexes for lists, the marker for empty lists and objects, and leaves
as the text a form sends (:func:`form_text`). A form has no types: what reads
the fields back as the same document is the schema, which types the text.

Python's and WebOb's form parsers give flat multidicts; no library we use
reads dotted names, so the rules above are written here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from backrest.formats import MAX_DEPTH


class FormError(ValueError):
    """Form fields that do not make one structure; ``name`` is the field at fault."""

    def __init__(self, name: str | None, description: str) -> None:
        super().__init__(description)
        self.name = name


class Repeated(list):
    """The values of a field sent more than once, in order.

    A list for a schema that wants a list; a schema type that wants one value
    takes the last (see :mod:`backrest.schema`). A JSON array is never a
    ``Repeated``, so this leniency stays with forms.
    """


class EmptyGroup(list):
    """A group sent as its marker alone (``tags.=``): an empty list, or an empty object.

    A list for a schema that wants a list; the object type of
    :mod:`backrest.schema` reads it as ``{}``. A JSON array is never an
    ``EmptyGroup``, so this leniency too stays with forms.
    """


@dataclass
class _Field:
    values: list[str] = field(default_factory=list)
    children: dict[str, _Field] = field(default_factory=dict)
    marked: bool = False


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _segments(name: str) -> list[str]:
    if not name:
        raise FormError(name, "A form field has no name.")
    segments = name.split(".")
    if len(segments) > MAX_DEPTH:
        raise FormError(name, f"{name} is nested deeper than {MAX_DEPTH} levels.")
    if "" in segments[:-1]:
        raise FormError(name, f"{name} has an empty part in its name.")
    return segments


def _is_index(name: str) -> bool:
    return name.isascii() and name.isdigit()


def _build(node: _Field, path: str) -> Any:
    if node.values:
        if node.children:
            raise FormError(path, f"{path} is sent both as a value and as a group of fields.")
        if node.marked:
            return list(node.values)
        return node.values[0] if len(node.values) == 1 else Repeated(node.values)
    names = list(node.children)
    if not any(_is_index(name) for name in names):
        # Only the marker leaves a group without names.
        fields = {name: _build(child, _join(path, name)) for name, child in node.children.items()}
        return fields or EmptyGroup()
    if not all(_is_index(name) for name in names):
        raise FormError(path, f"{path} mixes list indexes and names.")
    # Comparing strings, never int(): "007", "9" * 5000 and gaps all fail here.
    if set(names) != {str(index) for index in range(len(names))}:
        raise FormError(path, f"The indexes of {path} must run 0, 1, 2... without gaps.")
    return [_build(node.children[str(index)], _join(path, str(index))) for index in range(len(names))]


def decode_form(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The object that the form fields ``items`` describe; raises :class:`FormError`."""
    root = _Field()
    for name, value in items:
        *parents, last = _segments(name)
        node = root
        for segment in parents:
            node = node.children.setdefault(segment, _Field())
        if last:
            node.children.setdefault(last, _Field()).values.append(value)
        else:
            node.marked = True
    if not root.children:
        return {}
    decoded = _build(root, "")
    if not isinstance(decoded, dict):
        raise FormError(next(iter(root.children)), "The form must describe an object, not a list.")
    return decoded


def _leaves(value: Any, name: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping | list | tuple) and not value:
        # The top level is the form itself: an empty one has no fields.
        if name:
            yield f"{name}.", ""
    elif isinstance(value, Mapping):
        for key, child in value.items():
            yield from _leaves(child, _join(name, str(key)))
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            yield from _leaves(child, _join(name, str(index)))
    else:
        yield name, value


def form_leaves(value: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The dotted names of ``value``'s leaves, with the leaves as they are.

    Lists are written with indexes (``tags.0``), empty lists and objects as
    the marker (``tags.``, with ``""``). The leaves keep their types for a
    caller that picks inputs by them (the browsable page); a form sends them
    as :func:`form_text`.
    """
    return list(_leaves(value, ""))


def form_text(value: Any) -> str:
    """A leaf as a form field sends it, for the schema to read back.

    ``None`` is ``""``, which the schema reads as a value not given;
    booleans are ``true``/``false``; numbers are written as JSON writes them.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(value)


def encode_form(value: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The form fields that :func:`decode_form` reads back as ``value``, within a schema's types."""
    return [(name, form_text(leaf)) for name, leaf in form_leaves(value)]
