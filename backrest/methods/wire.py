"""Python values as a typed method's arguments travel: JSON-able data, or form fields.

No annotations here: values go by their runtime type, in the forms that
:func:`~backrest.methods.arguments.decode_arguments` reads back. Enums are
their member names, datetimes seconds since 1970 (a float: exact to the
microsecond between the years 1698 and 2241, to within 16 µs elsewhere),
``Decimal`` text, ``bytes`` base64, content models their public id.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from backrest.formats.forms import encode_form, form_text


class Encoder:
    """Values to JSON-able data, by runtime type; subclasses change how some types look."""

    def encode(self, value: Any) -> Any:
        # Enums first: an IntEnum is an int, a StrEnum a str.
        if isinstance(value, enum.Enum):
            return value.name
        if isinstance(value, float | Decimal) and not Decimal(value).is_finite():
            message = f"{value!r} cannot be sent: numbers must be finite"
            raise ValueError(message)
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        if isinstance(value, datetime):
            if value.utcoffset() is None:
                message = f"{value!r} cannot be sent: datetimes must be aware (have a timezone)"
                raise ValueError(message)
            return self.datetime(value)
        return self.compound(value)

    def compound(self, value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {
                field.name: self.encode(getattr(value, field.name)) for field in dataclasses.fields(value)
            }
        if isinstance(value, list | tuple):
            return [self.encode(item) for item in value]
        if isinstance(value, Mapping):
            return {self.key(key): self.encode(item) for key, item in value.items()}
        return self.other(value)

    def key(self, key: Any) -> str:
        """A dict key as text: the form text of its value (``1``, ``true``, an enum's name)."""
        encoded = self.encode(key)
        if isinstance(encoded, list | dict):
            message = f"{key!r} cannot be a key: keys must be single values"
            raise TypeError(message)
        return form_text(encoded)

    def datetime(self, value: datetime) -> Any:
        """An aware datetime, in seconds since 1970."""
        return value.timestamp()

    def other(self, value: Any) -> Any:
        """A content model by its public id; nothing else can be sent."""
        if isinstance(getattr(value, "id", None), str):
            return value.id
        message = f"a {type(value).__name__} cannot be sent"
        raise TypeError(message)


def to_wire(value: Any) -> Any:
    """``value`` as JSON-able data, for JSON bodies and, through :func:`to_form_fields`, for forms.

    Raises ``ValueError`` for naive datetimes and numbers that are not
    finite, ``TypeError`` for values of other types.
    """
    return Encoder().encode(value)


def to_form_fields(arguments: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The form fields that send ``arguments``.

    A form cannot send every value JSON can (see
    :mod:`backrest.methods.arguments`): ``None`` for an ``Optional[str]``
    reads back as ``""``, and dict keys that are empty, contain a dot, or
    are all digits (but for exactly ``0, 1, 2...``) make other names. Send
    JSON for those.
    """
    return encode_form(to_wire(arguments))
