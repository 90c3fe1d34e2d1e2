"""A typed method's keyword arguments from a request body, by its annotations (API section 15).

:meth:`~backrest.methods.shapes.Signature.of` reads a function's
annotations once, at registration (:mod:`backrest.methods.shapes`); then
:func:`decode_arguments` converts each body, reporting every problem at
once under dotted names (``filter.name_gt``, ``usernames.2``).

Forms send text (section 6): the types of :mod:`backrest.schema` say how
text reads as a boolean or a number, and a value sent more than once is an
error, but for booleans (the checkbox idiom: the last wins) and for lists.
JSON is strict: ``1`` is not ``true``, ``"1"`` is not ``1``. Either way,
enums travel by member name, datetimes as seconds since 1970, bytes as
base64 and models by public id.

A form cannot tell ``None`` from ``""`` for an ``Optional[str]``: the empty
text is ``""`` there, and ``None`` for any other optional type. A client
that must send ``None`` for such a field sends JSON (or leaves out a
parameter whose default is ``None``).

A :class:`~backrest.methods.uploads.FileUpload` comes only as a file part of
a multipart body (:mod:`backrest.methods.multipart`): text in its place, in a
form or in JSON, is an error naming it. An empty text is ``None`` for an
optional file, as for any optional type: it is what a browser sends for a
file input left empty.
"""

from __future__ import annotations

import base64
import enum
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import colander

from backrest.formats.forms import EmptyGroup, Repeated
from backrest.methods.shapes import (
    DictOf,
    File,
    ListOf,
    Member,
    Model,
    Nullable,
    Record,
    Shape,
    Signature,
    Single,
)
from backrest.methods.uploads import FileUpload
from backrest.schema import (
    FALSE_WORDS,
    INTEGER_RANGE,
    INTEGER_TEXT,
    NUMBER_TEXT,
    TRUE_WORDS,
    Text,
    last_value,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOT_A_FILE = "Must be a file: send it as a part of a multipart/form-data body, under this name."
REQUIRED_FILE = "Required: send a file, as a part of a multipart/form-data body under this name."


class ArgumentErrors(Exception):  # noqa: N818 - the HTTP side answers them as a 400
    """Arguments that do not fit the annotations: ``(dotted name, description)`` for each problem."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {description}" for name, description in errors))
        self.errors = errors


@dataclass(frozen=True)
class Context:
    """What decoding needs from the request: each model's collection, and how to load one by id."""

    models: Mapping[type, str]
    load_model: Callable[[type, str, str], Any]
    """``load_model(model, id, dotted name)``: the name is for the error of an object not found."""


# Single values: each converter takes form text or a JSON value, and raises
# _Refused with what the sender should do instead.


class _Refused(ValueError):  # noqa: N818 - an answer for the sender, not a failure
    pass


def _is_json_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _boolean(value: Any, from_form: bool) -> bool:
    if from_form and isinstance(value, str) and value.lower() in TRUE_WORDS | FALSE_WORDS:
        return value.lower() in TRUE_WORDS
    if not from_form and isinstance(value, bool):
        return value
    message = "Must be true or false (also 1/0, yes/no, on/off)." if from_form else "Must be true or false."
    raise _Refused(message)


def _integer(value: Any, from_form: bool) -> int:
    if from_form and isinstance(value, str) and INTEGER_TEXT.fullmatch(value):
        value = int(value)
    elif from_form or not isinstance(value, int) or isinstance(value, bool):
        raise _Refused("Must be an integer.")
    if value not in INTEGER_RANGE:
        raise _Refused("Must be an integer between -2**63 and 2**63 - 1.")
    return value


def _number(value: Any, from_form: bool, refusal: str = "Must be a number.") -> float:
    if from_form and isinstance(value, str) and NUMBER_TEXT.fullmatch(value):
        number = float(value)
    elif not from_form and _is_json_number(value):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
    else:
        raise _Refused(refusal)
    if not math.isfinite(number):
        raise _Refused("Must be a finite number.")
    return number


def _decimal(value: Any, from_form: bool) -> Decimal:
    # A JSON number reads as the decimal it is written as: 0.1 is Decimal("0.1").
    text = str(value) if not from_form and _is_json_number(value) else value
    if not isinstance(text, str) or not NUMBER_TEXT.fullmatch(text):
        raise _Refused("Must be a decimal number, as a number or as text (such as 23.42).")
    return Decimal(text)


def _datetime(value: Any, from_form: bool) -> datetime:
    seconds = _number(value, from_form, "Must be a number of seconds since 1970-01-01T00:00:00Z.")
    try:
        # Not fromtimestamp(), whose range depends on the platform.
        return EPOCH + timedelta(seconds=seconds)
    except OverflowError as error:
        raise _Refused("Must be a time from year 1 to year 9999, in seconds since 1970.") from error


def _bytes(value: Any, from_form: bool) -> bytes:
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:  # binascii.Error, or text that is not ASCII
            pass
    raise _Refused("Must be base64 text (RFC 4648, with padding).")


_TEXT = colander.SchemaNode(Text(allow_empty=True))


def _text(value: Any, from_form: bool) -> str:
    try:
        return _TEXT.deserialize(value)
    except colander.Invalid as error:
        raise _Refused(error.msg) from error


_CONVERTERS: dict[type, Callable[[Any, bool], Any]] = {
    bool: _boolean,
    int: _integer,
    float: _number,
    Decimal: _decimal,
    datetime: _datetime,
    bytes: _bytes,
    str: _text,
}


def _convert(kind: type, value: Any, from_form: bool) -> Any:
    if issubclass(kind, enum.Enum):
        if isinstance(value, str) and value in kind.__members__:
            return kind[value]
        message = f"Must be one of {', '.join(kind.__members__)}."
        raise _Refused(message)
    return _CONVERTERS[kind](value, from_form)


# Decoding


@dataclass(frozen=True)
class _Deferred:
    """A value that needs models loaded: built once every argument decoded without error."""

    build: Callable[[Callable[[type, str, str], Any]], Any]


_INVALID = object()


def _resolve(value: Any, load: Callable[[type, str, str], Any]) -> Any:
    return value.build(load) if isinstance(value, _Deferred) else value


def _combine(parts: dict[Any, Any], finish: Callable[[dict[Any, Any]], Any]) -> Any:
    """``finish(parts)``, deferred while a part waits for a model, invalid when a part is."""
    values = parts.values()
    if any(part is _INVALID for part in values):
        return _INVALID
    if any(isinstance(part, _Deferred) for part in values):
        return _Deferred(lambda load: finish({key: _resolve(part, load) for key, part in parts.items()}))
    return finish(parts)


def _join(path: str, name: Any) -> str:
    return f"{path}.{name}" if path else str(name)


class _Decoder:
    def __init__(self, context: Context, from_form: bool) -> None:
        self.context = context
        self.from_form = from_form
        self.errors: list[tuple[str, str]] = []

    def fail(self, path: str, description: str) -> Any:
        self.errors.append((path, description))
        return _INVALID

    def decode(self, shape: Shape, value: Any, path: str) -> Any:  # noqa: PLR0911 - one return per shape
        match shape:
            case Nullable(inner):
                empty = (value == "" and inner != Single(str)) if self.from_form else (value is None)
                return None if empty else self.decode(inner, value, path)
            case Single(kind):
                convert = partial(_convert, kind, from_form=self.from_form)
                return self.single(convert, value, path, last_wins=kind is bool)
            case Model(model):
                return self.single(lambda value: self.model(model, value, path), value, path)
            case ListOf(item):
                return self.list(item, value, path)
            case DictOf(key, item):
                return self.dict(key.kind, item, value, path)
            case Record(cls, members):
                return self.record(cls, members, value, path)
            case File():
                return value if isinstance(value, FileUpload) else self.fail(path, NOT_A_FILE)
        raise AssertionError(shape)  # pragma: no cover - Signature.of refuses the rest

    def single(self, convert: Callable[[Any], Any], value: Any, path: str, *, last_wins: bool = False) -> Any:
        if self.from_form and isinstance(value, Repeated):
            if not last_wins:
                return self.fail(path, "Sent more than once; send it once.")
            value = last_value(value)
        try:
            return convert(value)
        except _Refused as refusal:
            return self.fail(path, str(refusal))

    def model(self, model: type, value: Any, path: str) -> _Deferred:
        if not isinstance(value, str) or not value:
            collection = self.context.models.get(model)
            raise _Refused(f"Must be the id of one of /-/{collection}/." if collection else "Must be an id.")
        return _Deferred(lambda load: load(model, value, path))

    def list(self, item: Shape, value: Any, path: str) -> Any:
        if self.from_form and isinstance(value, str | FileUpload):
            value = [value]
        if not isinstance(value, list):
            return self.fail(path, "Must be a list.")
        parts = {index: self.decode(item, child, _join(path, index)) for index, child in enumerate(value)}
        return _combine(parts, lambda items: list(items.values()))

    def dict(self, key: type, item: Shape, value: Any, path: str) -> Any:
        if self.from_form and type(value) in (list, EmptyGroup):
            # Names that are all digits read as list indexes (section 6).
            value = {str(index): child for index, child in enumerate(value)}
        if not isinstance(value, dict):
            return self.fail(path, "Must be an object.")
        parts, keys_valid = {}, True
        for name, child in value.items():
            where = _join(path, name)
            converted = self.key(key, name, where, parts)
            if converted is _INVALID:
                keys_valid = False
            else:
                parts[converted] = self.decode(item, child, where)
        return _combine(parts, dict) if keys_valid else _INVALID

    def key(self, kind: type, name: str, path: str, taken: Collection[Any]) -> Any:
        try:
            # A key is text, in JSON too: read it as a form reads a value.
            key = _convert(kind, name, from_form=True)
        except _Refused as refusal:
            return self.fail(path, f"Not a valid key. {refusal}")
        if key in taken:
            return self.fail(path, "The same key as another field: send it once.")
        return key

    def record(self, cls: type, members: tuple[Member, ...], value: Any, path: str) -> Any:
        if self.from_form and isinstance(value, EmptyGroup):
            value = {}
        if not isinstance(value, dict):
            return self.fail(path, "Must be an object.")
        return self.members(members, value, path, f"a field of {cls.__name__}", lambda fields: cls(**fields))

    def members(
        self,
        members: tuple[Member, ...],
        value: Mapping[str, Any],
        path: str,
        what: str,
        finish: Callable[[dict[str, Any]], Any],
    ) -> Any:
        """The members of an object, each given or defaulted, and no other."""
        parts = {}
        for member in members:
            if member.name in value:
                parts[member.name] = self.decode(member.shape, value[member.name], _join(path, member.name))
            elif member.required:
                needed = REQUIRED_FILE if isinstance(member.shape, File) else "Required: send a value."
                parts[member.name] = self.fail(_join(path, member.name), needed)
        expected = ", ".join(member.name for member in members) or "none"
        for name in value:
            if all(member.name != name for member in members):
                parts[name] = self.fail(_join(path, name), f"Not {what} (expected: {expected}).")
        return _combine(parts, finish)


def decode_arguments(
    signature: Signature, data: Mapping[str, Any], context: Context, *, from_form: bool
) -> dict[str, Any]:
    """Keyword arguments for the function, or :class:`ArgumentErrors` listing every problem.

    ``data`` is a parsed JSON object, or what :func:`~backrest.formats.forms.decode_form`
    read from a form (``from_form``). Models load last, in argument order, and
    only when nothing else was wrong: whatever ``context.load_model`` raises
    (a 404) passes through.
    """
    decoder = _Decoder(context, from_form)
    arguments = decoder.members(signature.parameters, data, "", "an argument of this method", dict)
    if decoder.errors:
        raise ArgumentErrors(decoder.errors)
    return _resolve(arguments, context.load_model)
