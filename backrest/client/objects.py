"""Answers as objects: ``doc.title``, ``doc.attributes.language``, ``doc.id``; ``doc.json()`` for the data.

A :class:`Resource` wraps one JSON object, read-only: keys are attributes
(and items, for keys that are not Python names, ``doc["__meta__"]``), nested
objects are resources, lists hold resources. It keeps the ``ETag`` it was
answered with, which updates and deletes send back as ``If-Match``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn


def wrap(value: Any, etag: str | None = None) -> Any:
    """JSON data as resources: objects become :class:`Resource`, lists are wrapped item by item."""
    if isinstance(value, Mapping):
        return Resource(value, etag)
    if isinstance(value, list):
        return [wrap(item) for item in value]
    return value


class Resource:
    """One JSON object of an answer, with its keys as attributes."""

    __slots__ = ("_data", "_etag")

    def __init__(self, data: Mapping[str, Any], etag: str | None = None) -> None:
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_etag", etag)

    @property
    def id(self) -> Any:
        """The public id: ``__meta__.id`` for content, else the ``id`` key (API keys have one)."""
        meta = self._data.get("__meta__")
        if isinstance(meta, Mapping) and "id" in meta:
            return meta["id"]
        return self._data.get("id")

    def json(self) -> Any:
        """The data as the service answered it, a copy that is the caller's to change."""
        return copy.deepcopy(self._data)

    def __getattr__(self, name: str) -> Any:
        try:
            return wrap(self._data[name])
        except KeyError:
            keys = ", ".join(self._data) or "none"
            msg = f"no {name!r} here (keys: {keys})"
            raise AttributeError(msg) from None

    def __getitem__(self, name: str) -> Any:
        return wrap(self._data[name])

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(key for key in self._data if key.isidentifier())})

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        msg = f"{name!r} is read-only: change an object with its collection's update()"
        raise AttributeError(msg)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Resource):
            return self._data == other._data
        return NotImplemented

    __hash__ = None  # equal data, yet not one object: not a key

    def __repr__(self) -> str:
        return f"Resource({self._data!r})"


def etag_of(resource: Resource) -> str | None:
    """The ``ETag`` a resource was answered with; ``None`` for one from a list or a method's answer."""
    return resource._etag  # noqa: SLF001 - kept out of the attributes, which are the data's keys
