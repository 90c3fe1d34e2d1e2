"""Colander building blocks shared by every schema: strict strings, emails."""

from __future__ import annotations

from typing import Any

import colander
from email_validator import EmailNotValidError, validate_email


class Text(colander.String):
    """A string, refusing other JSON types, NUL characters and lone surrogates."""

    def deserialize(self, node: colander.SchemaNode, cstruct: Any) -> Any:
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


def normalize_email(value: str) -> str:
    """The address in its canonical form; raises ``ValueError`` when it is not one."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error


def _email_validator(node: colander.SchemaNode, value: str) -> None:
    try:
        normalize_email(value)
    except ValueError as error:
        raise colander.Invalid(node, f"Invalid email address: {error}") from error


def text_node(
    *, max_length: int | None = None, allow_empty: bool = False, **kwargs: Any
) -> colander.SchemaNode:
    """A string node; ``allow_empty`` keeps ``""`` as a value instead of treating it as missing."""
    validator = colander.Length(max=max_length) if max_length else None
    return colander.SchemaNode(Text(allow_empty=allow_empty), validator=validator, **kwargs)


def email_node(**kwargs: Any) -> colander.SchemaNode:
    return colander.SchemaNode(
        Text(),
        preparer=lambda value: value.strip() if isinstance(value, str) else value,
        validator=colander.All(colander.Length(max=320), _email_validator),
        **kwargs,
    )


class Body(colander.MappingSchema):
    """A request body: keys the schema does not know (``__meta__`` too) are dropped."""

    def schema_type(self, **kw: Any) -> colander.Mapping:
        return colander.Mapping(unknown="ignore")
