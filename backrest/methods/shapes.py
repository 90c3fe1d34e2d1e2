"""What a typed method's annotations mean on the wire, read once when the method is registered.

:meth:`Signature.of` reads a function's parameters and result into
:class:`Shape` trees, refusing what :mod:`backrest.methods.arguments` could
not decode or :mod:`backrest.methods.schemas` describe.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import types
import typing
from collections.abc import Callable, Collection
from dataclasses import MISSING, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from backrest.methods.uploads import FileUpload

# Single values besides enums and models; the types dict keys may have are
# those that read back from a form field's name, which cannot hold a dot.
SCALARS = (bool, int, float, Decimal, str, bytes, datetime)
KEYS = (bool, int, str)


# What annotations mean, read once at registration.


@dataclass(frozen=True)
class Single:
    """One value: a type of :data:`SCALARS` or an ``Enum`` subclass."""

    kind: type


@dataclass(frozen=True)
class Model:
    """A content model, sent as its public id."""

    model: type


@dataclass(frozen=True)
class ListOf:
    item: Shape


@dataclass(frozen=True)
class DictOf:
    key: Single
    value: Shape


@dataclass(frozen=True)
class Nullable:
    inner: Shape


@dataclass(frozen=True)
class Record:
    """A dataclass, with its fields."""

    cls: type
    fields: tuple[Member, ...]


@dataclass(frozen=True)
class Nothing:
    """``None``, which only a method's result may be."""


@dataclass(frozen=True)
class File:
    """A :class:`~backrest.methods.uploads.FileUpload`, which only an argument may be."""


Shape = Single | Model | ListOf | DictOf | Nullable | Record | Nothing | File


@dataclass(frozen=True)
class Member:
    """A parameter of a function or a field of a dataclass.

    ``default`` is the parameter's or field's default, :data:`dataclasses.MISSING`
    when it has none; a field with a ``default_factory`` is not ``required``
    either.
    """

    name: str
    annotation: Any
    shape: Shape
    default: Any
    required: bool


def _holds(shape: Shape, kind: type) -> bool:
    match shape:
        case ListOf(item=inner) | Nullable(inner=inner) | DictOf(value=inner):
            return _holds(inner, kind)
        case Record(fields=members):
            return any(_holds(member.shape, kind) for member in members)
    return isinstance(shape, kind)


def names_objects(shape: Shape) -> bool:
    """Whether a value of ``shape`` holds objects named by id, each of which may be a 404."""
    return _holds(shape, Model)


def takes_files(shape: Shape) -> bool:
    """Whether a value of ``shape`` holds files, which only a multipart body can send."""
    return _holds(shape, File)


def shape_of(annotation: Any, models: Collection[type], *, result: bool = False) -> Shape:
    """What ``annotation`` means on the wire; ``TypeError`` when it is not supported.

    ``models`` are the content model classes; ``result`` allows ``None``,
    and refuses files.
    """
    shape = _shape(annotation, models, (), result=result)
    if result and takes_files(shape):
        message = "a FileUpload cannot be a result"
        raise TypeError(message)
    return shape


def _shape(annotation: Any, models: Collection[type], enclosing: tuple[type, ...], *, result: bool) -> Shape:
    """``enclosing`` are the dataclasses being read, which may not contain themselves."""
    if typing.get_origin(annotation) is not None:
        return _generic(annotation, models, enclosing)
    if result and annotation in (None, type(None)):
        return Nothing()
    if annotation is FileUpload:
        return File()
    if annotation in SCALARS or (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
        return Single(annotation)
    if annotation in models:
        return Model(annotation)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return _record(annotation, models, enclosing)
    message = f"unsupported annotation {annotation!r}"
    raise TypeError(message)


def _generic(annotation: Any, models: Collection[type], enclosing: tuple[type, ...]) -> Shape:
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    shapes = [
        _shape(argument, models, enclosing, result=False)
        for argument in arguments
        if argument is not type(None)
    ]
    if origin in (typing.Union, types.UnionType) and len(shapes) == 1:
        return Nullable(shapes[0])
    if origin is list and len(shapes) == 1:
        return ListOf(shapes[0])
    if origin is dict and len(shapes) == 2:  # noqa: PLR2004 - the key and the value
        key, value = shapes
        if isinstance(key, Single) and issubclass(key.kind, (*KEYS, enum.Enum)):
            return DictOf(key, value)
        message = f"the keys of {annotation!r} must be str, int, bool or an Enum"
        raise TypeError(message)
    message = f"unsupported annotation {annotation!r}"
    raise TypeError(message)


def _record(cls: type, models: Collection[type], enclosing: tuple[type, ...]) -> Record:
    if cls in enclosing:
        message = f"{cls.__name__} contains itself, which cannot be sent"
        raise TypeError(message)
    hints = typing.get_type_hints(cls)
    members = []
    for field in dataclasses.fields(cls):
        where = f"field {cls.__name__}.{field.name}"
        if not field.init:
            message = f"{where} is not an argument of {cls.__name__}()"
            raise TypeError(message)
        try:
            shape = _shape(hints[field.name], models, (*enclosing, cls), result=False)
        except TypeError as error:
            message = f"{where}: {error}"
            raise TypeError(message) from error
        required = field.default is MISSING and field.default_factory is MISSING
        members.append(Member(field.name, hints[field.name], shape, field.default, required))
    return Record(cls, tuple(members))


def _parameter(parameter: inspect.Parameter, hints: dict[str, Any], models: Collection[type]) -> Member:
    if parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
        raise TypeError("arguments are passed by name, one for each parameter")
    if parameter.name not in hints:
        raise TypeError("no annotation")
    annotation = hints[parameter.name]
    default = MISSING if parameter.default is parameter.empty else parameter.default
    return Member(parameter.name, annotation, shape_of(annotation, models), default, default is MISSING)


def _type_hints(function: Callable[..., Any], supplied: Collection[str]) -> dict[str, Any]:
    """The resolved annotations of ``function``, but those of ``supplied`` parameters.

    Theirs are left unresolved: a module may import ``Request`` for type
    checking only.
    """
    function = inspect.unwrap(function)
    annotations = {
        name: annotation
        for name, annotation in getattr(function, "__annotations__", {}).items()
        if name not in supplied
    }
    holder = types.SimpleNamespace(__annotations__=annotations)
    return typing.get_type_hints(holder, globalns=getattr(function, "__globals__", {}))


@dataclass(frozen=True)
class Signature:
    """A typed method's parameters and result, as :func:`decode_arguments` and the schemas read them."""

    parameters: tuple[Member, ...]
    returns: Any

    @property
    def takes_files(self) -> bool:
        """Whether some argument is or holds a file, which only a multipart body sends."""
        return any(takes_files(member.shape) for member in self.parameters)

    @classmethod
    def of(
        cls,
        function: Callable[..., Any],
        models: Collection[type],
        *,
        supplied: Collection[str] = ("request",),
    ) -> Signature:
        """Read ``function``'s annotations; ``TypeError`` naming the parameter when one is not supported.

        The parameters named in ``supplied`` are passed by the caller (the
        request), not sent: they are no arguments, and may have any annotation.
        """
        name = f"{getattr(function, '__qualname__', function)}()"
        hints = _type_hints(function, supplied)
        parameters = []
        for parameter in inspect.signature(function).parameters.values():
            if parameter.name in supplied:
                continue
            try:
                parameters.append(_parameter(parameter, hints, models))
            except TypeError as error:
                message = f"{name}: parameter {parameter.name!r}: {error}"
                raise TypeError(message) from error
        if "return" not in hints:
            message = f"{name}: no return annotation"
            raise TypeError(message)
        try:
            shape_of(hints["return"], models, result=True)
        except TypeError as error:
            message = f"{name}: the return annotation: {error}"
            raise TypeError(message) from error
        return cls(tuple(parameters), hints["return"])
