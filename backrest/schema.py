"""Colander building blocks shared by every schema: strict strings, numbers, flags, emails.

The scalar types read JSON values, and the text that forms and XML send:
``"42"`` is an integer, ``"on"`` a flag. A form field sent twice reaches them
as a :class:`~backrest.formats.forms.Repeated` list, and they take its last
value (the hidden-field-plus-checkbox idiom); a JSON array stays a wrong type.
Likewise a form's marker alone (``address.=``), an
:class:`~backrest.formats.forms.EmptyGroup`, is an empty object to a
:class:`Body`. A text whose default is ``None`` may be set to ``null``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import colander

from backrest.formats.forms import EmptyGroup, Repeated

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
# What databases store: a bigger integer is refused, not truncated.
INTEGER_RANGE = range(-(2**63), 2**63)
# Plain decimal text only: int() and float() would also take "1_000", " 1",
# "inf", "nan" and non-ASCII digits, and Python refuses to convert strings of
# more than 4300 digits with an error of its own.
INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,19}")
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]{1,400}(?:\.[0-9]{0,400})?|\.[0-9]{1,400})(?:[eE][+-]?[0-9]{1,4})?")


def last_value(cstruct: Any) -> Any:
    """The value of a field a form sent more than once is its last."""
    return cstruct[-1] if isinstance(cstruct, Repeated) else cstruct


class Text(colander.String):
    """A string, refusing other JSON types, NUL characters and lone surrogates."""

    def deserialize(self, node: colander.SchemaNode, cstruct: Any) -> Any:
        cstruct = last_value(cstruct)
        if cstruct is colander.null:
            return cstruct
        if not isinstance(cstruct, str):
            raise colander.Invalid(node, "Must be a string.")
        if "\x00" in cstruct:
            raise colander.Invalid(node, "Must not contain NUL characters.")
        try:
            # JSON escapes can spell half a surrogate pair ("\ud800"), which no
            # database, hash or mail can encode.
            cstruct.encode("utf-8")
        except UnicodeEncodeError as error:
            raise colander.Invalid(node, "Must be valid Unicode text.") from error
        return super().deserialize(node, cstruct)


class Scalar(colander.SchemaType):
    """A JSON scalar that also arrives as text from forms and XML; serialized as it is.

    Subclasses say in ``convert`` how a given value becomes theirs.
    """

    def serialize(self, node: colander.SchemaNode, appstruct: Any) -> Any:
        return appstruct

    def deserialize(self, node: colander.SchemaNode, cstruct: Any) -> Any:
        cstruct = last_value(cstruct)
        # An empty form input is a value not given, as colander's own types have it.
        if cstruct is colander.null or cstruct == "":
            return colander.null
        return self.convert(node, cstruct)

    def convert(self, node: colander.SchemaNode, cstruct: Any) -> Any:
        raise NotImplementedError


class Flag(Scalar):
    """A boolean: JSON ``true``/``false``, or ``1/0``, ``true/false``, ``yes/no``, ``on/off`` in any case."""

    def convert(self, node: colander.SchemaNode, cstruct: Any) -> bool:
        if isinstance(cstruct, bool):
            return cstruct
        word = cstruct.lower() if isinstance(cstruct, str) else None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise colander.Invalid(node, "Must be true or false (also 1/0, yes/no, on/off).")


class Integer(Scalar):
    """A whole number in the 64-bit range; never a boolean, a float or a long string of digits."""

    def convert(self, node: colander.SchemaNode, cstruct: Any) -> int:
        if isinstance(cstruct, str) and INTEGER_TEXT.fullmatch(cstruct):
            cstruct = int(cstruct)
        if not isinstance(cstruct, int) or isinstance(cstruct, bool):
            raise colander.Invalid(node, "Must be an integer.")
        if cstruct not in INTEGER_RANGE:
            raise colander.Invalid(node, "Must be an integer between -2**63 and 2**63 - 1.")
        return cstruct


class Number(Scalar):
    """A finite number, as a float; never a boolean, NaN, an infinity or a long string of digits."""

    def convert(self, node: colander.SchemaNode, cstruct: Any) -> float:
        if isinstance(cstruct, str) and NUMBER_TEXT.fullmatch(cstruct):
            cstruct = float(cstruct)
        if not isinstance(cstruct, int | float) or isinstance(cstruct, bool):
            raise colander.Invalid(node, "Must be a number.")
        try:
            value = float(cstruct)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise colander.Invalid(node, "Must be a finite number.")
        return value


def normalize_email(value: str) -> str:
    """The address in its canonical form; raises ``ValueError`` when it is not one."""
    # Imported at the first address: most requests carry none (half a megabyte).
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error


def _email_validator(node: colander.SchemaNode, value: str) -> None:
    try:
        normalize_email(value)
    except ValueError as error:
        raise colander.Invalid(node, f"Invalid email address: {error}") from error


class NullableNode(colander.SchemaNode):
    """A field that may be ``null``: ``null`` (XML's ``type="null"``) sets it to ``None``.

    The representation of such a field shows ``null``, and what it shows must
    post back (API section 3). ``None`` is a value, not a missing one: an
    update that sends it clears the field. Other nodes refuse ``null`` as a
    wrong type.
    """

    def deserialize(self, cstruct: Any = colander.null) -> Any:
        return None if cstruct is None else super().deserialize(cstruct)


def text_node(
    *, max_length: int | None = None, allow_empty: bool = False, **kwargs: Any
) -> colander.SchemaNode:
    """A string node; ``allow_empty`` keeps ``""`` as a value instead of treating it as missing.

    ``missing=None`` makes it nullable (a :class:`NullableNode`): a field
    that is ``None`` when not given shows ``null``, and must take it back.
    """
    validator = colander.Length(max=max_length) if max_length else None
    node_class = NullableNode if kwargs.get("missing", colander.required) is None else colander.SchemaNode
    return node_class(Text(allow_empty=allow_empty), validator=validator, **kwargs)


def email_node(**kwargs: Any) -> colander.SchemaNode:
    return colander.SchemaNode(
        Text(),
        preparer=lambda value: value.strip() if isinstance(value, str) else value,
        validator=colander.All(colander.Length(max=320), _email_validator),
        **kwargs,
    )


class Fields(colander.Mapping):
    """An object; from a form, an empty group (``address.=``) is an empty one."""

    def deserialize(self, node: colander.SchemaNode, cstruct: Any) -> Any:
        return super().deserialize(node, {} if isinstance(cstruct, EmptyGroup) else cstruct)


class Body(colander.MappingSchema):
    """A request body, or an object in one: keys the schema does not know (``__meta__`` too) are dropped."""

    def schema_type(self, **kw: Any) -> colander.Mapping:
        return Fields(unknown="ignore")
