"""The HTML of the browsable page's forms, from their :class:`~backrest.formats.schema_fields.Field`.

Every control is named by its dotted path as :mod:`backrest.formats.forms`
reads it. The page's script recomputes the names when a person adds or
removes an item of a list: each group carries ``data-key`` (its part of the
name) and each item ``data-item`` (its index is its place among its
siblings), so a name is the ``data-key``/index of every group around it.

Each field has a slot for its error (``id-error``) that the script fills and
links with ``aria-describedby``; the form's summary is a live region, so a
screen reader announces what was refused.

Everything goes through MarkupSafe: only what this module writes as
``Markup`` is HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from backrest.formats.forms import form_text
from backrest.formats.schema_fields import Field

INPUT_TYPES = {
    "text": "text",
    "email": "email",
    "password": "password",
    "number": "number",
    "integer": "number",
    "date": "date",
    "datetime": "datetime-local",
    "file": "file",
}
# Left out of the body when empty: an empty string is no number, date or choice.
OMITTED_WHEN_EMPTY = frozenset({"number", "integer", "date", "datetime", "select", "file"})
STEPS = {"number": "any", "integer": "1", "datetime": "0.001"}
UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")
NOTHING = Markup("")


@dataclass(frozen=True)
class Form:
    """One form of the page: where it goes, how, and what the page does with the answer."""

    form_id: str
    title: str
    method: str
    action: str
    fields: tuple[Field, ...] = ()
    if_match: str = ""
    then: str = "reload"
    """After success: ``reload`` the page, follow the answer's ``location``, show the
    ``result``, ``search`` (go to the URL the form's fields make) or ``leave`` (to ``leave_to``)."""
    leave_to: str = ""
    changed_only: bool = False
    """Send only the fields a person changed (an edit: PUT updates the keys it is given)."""
    button: str = ""


def control_id(form_id: str, path: str) -> str:
    return UNSAFE_ID.sub("_", f"{form_id}--{path}")


def _attributes(pairs: Iterable[tuple[str, Any]]) -> Markup:
    """HTML attributes; ``True`` writes the name alone, ``None`` and ``False`` leave it out."""
    parts = []
    for name, value in pairs:
        if value is True:
            parts.append(Markup(" {}").format(name))
        elif value is not None and value is not False:
            parts.append(Markup(' {}="{}"').format(name, value))
    return NOTHING.join(parts)


def _datetime_text(value: Any) -> str:
    """``2026-12-05T10:00:00.123456Z`` as a date-time input shows it (UTC, to the millisecond)."""
    if not isinstance(value, str) or "T" not in value:
        return ""
    text = value.removesuffix("Z")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction[:3]}" if fraction else whole


def _value_text(field: Field) -> str:
    if field.kind == "datetime":
        return _datetime_text(field.value)
    return "" if field.value is None else form_text(field.value)


def _described_by(field: Field, identifier: str) -> str | None:
    return f"{identifier}-hint" if field.description else None


def _own_label(field: Field) -> str | None:
    """An item of a list has no label of its own: it is named for screen readers."""
    return None if field.key else field.label


def _input(field: Field, identifier: str) -> Markup:
    kind = field.kind
    attributes = [
        ("type", INPUT_TYPES[kind]),
        ("id", identifier),
        ("name", field.path),
        ("value", None if kind in {"file", "password"} else _value_text(field)),
        ("step", STEPS.get(kind)),
        ("required", field.required),
        ("aria-required", "true" if field.required else None),
        ("aria-describedby", _described_by(field, identifier)),
        ("aria-label", _own_label(field)),
        ("data-omit-empty", kind in OMITTED_WHEN_EMPTY and not field.required),
        ("data-utc", kind == "datetime"),
        ("autocomplete", "current-password" if kind == "password" else None),
        *field.limits.items(),
    ]
    return Markup("<input{}>").format(_attributes(attributes))


def _textarea(field: Field, identifier: str) -> Markup:
    attributes = [
        ("id", identifier),
        ("name", field.path),
        ("rows", 6),
        ("required", field.required),
        ("aria-describedby", _described_by(field, identifier)),
        ("aria-label", _own_label(field)),
        ("maxlength", field.limits.get("maxlength")),
    ]
    return Markup("<textarea{}>{}</textarea>").format(_attributes(attributes), _value_text(field))


def _select(field: Field, identifier: str) -> Markup:
    blank = (
        Markup('<option value="">(none)</option>') if not field.required or field.value is None else NOTHING
    )
    options = NOTHING.join(
        Markup("<option{}>{}</option>").format(
            _attributes([("value", form_text(choice)), ("selected", choice == field.value)]), choice
        )
        for choice in field.choices
    )
    attributes = [
        ("id", identifier),
        ("name", field.path),
        ("required", field.required),
        ("aria-describedby", _described_by(field, identifier)),
        ("aria-label", _own_label(field)),
        ("data-omit-empty", not field.required),
    ]
    return Markup("<select{}>{}{}</select>").format(_attributes(attributes), blank, options)


def _checkbox(field: Field, identifier: str) -> Markup:
    # The hidden "false" first: unticked, the box sends nothing and "false" stands.
    attributes = [
        ("type", "checkbox"),
        ("id", identifier),
        ("name", field.path),
        ("value", "true"),
        ("checked", field.value is True),
        ("aria-describedby", _described_by(field, identifier)),
        ("aria-label", _own_label(field)),
    ]
    return Markup('<input type="hidden" name="{}" value="false"><input{}>').format(
        field.path, _attributes(attributes)
    )


def _marker(field: Field) -> Markup:
    """``path.``, so that a list with nothing ticked or every item removed is still sent, as empty.

    Only for a list that must be sent or that holds items: an optional list
    left empty is not sent, and its default applies.
    """
    if not (field.required or field.value or field.children):
        return NOTHING
    return Markup('<input type="hidden" name="{}." value="" data-marker>').format(field.path)


def _hint(field: Field, identifier: str) -> Markup:
    if not field.description:
        return NOTHING
    return Markup('<small class="hint" id="{}-hint">{}</small>').format(identifier, field.description)


def _error_slot(identifier: str) -> Markup:
    return Markup('<p class="error" id="{}-error" hidden></p>').format(identifier)


def _label_text(field: Field) -> Markup:
    required = Markup(' <span class="required">(required)</span>') if field.required else NOTHING
    return Markup("{}{}").format(field.label, required)


def _scalar(field: Field, identifier: str) -> Markup:
    if field.kind == "textarea":
        return _textarea(field, identifier)
    if field.kind == "select":
        return _select(field, identifier)
    if field.kind == "checkbox":
        return _checkbox(field, identifier)
    return _input(field, identifier)


def _choices(field: Field, form_id: str) -> Markup:
    ticked = set(map(form_text, field.value or ()))
    boxes = NOTHING.join(
        Markup('<label class="choice"><input{}> {}</label>').format(
            _attributes(
                [
                    ("type", "checkbox"),
                    ("id", control_id(form_id, f"{field.path}.{choice}")),
                    ("name", field.path),
                    ("value", form_text(choice)),
                    ("checked", form_text(choice) in ticked),
                ]
            ),
            choice,
        )
        for choice in field.choices
    )
    return Markup("{}{}").format(_marker(field), boxes)


def _item(field: Field, form_id: str, parent: Field) -> Markup:
    identifier = control_id(form_id, field.path)
    return Markup(
        '<div class="item" data-item>{}'
        '<button type="button" data-remove aria-label="Remove {}">Remove</button>{}</div>'
    ).format(_inner(field, form_id), field.label, _error_slot(identifier))


def _pair(field: Field, form_id: str, parent: Field) -> Markup:
    """A key and its value; the key is the last part of the value's name (``attributes.color``)."""
    identifier = control_id(form_id, field.path)
    key = field.path.removeprefix(f"{parent.path}.")
    return Markup(
        '<div class="item" data-pair><input class="pair-key" aria-label="Key of {0}" value="{1}"> {2}'
        '<button type="button" data-remove aria-label="Remove {0}">Remove</button>{3}</div>'
    ).format(parent.label, key, _inner(field, form_id), _error_slot(identifier))


def _repeatable(field: Field, form_id: str) -> Markup:
    """A list's items or a free-form object's rows, with a template for more and an Add button."""
    render = _pair if field.kind == "pairs" else _item
    items = NOTHING.join(render(child, form_id, field) for child in field.children)
    marker = _marker(field) if field.kind == "list" else NOTHING
    return Markup(
        '{}<div class="items">{}</div><template>{}</template>'
        '<button type="button" data-add>Add to {}</button>'
    ).format(marker, items, render(field.template, form_id, field), field.label)


def _inner(field: Field, form_id: str) -> Markup:
    """The controls of ``field``, without its label: an item of a list is this alone."""
    if field.kind == "object":
        return NOTHING.join(render_field(child, form_id) for child in field.children)
    if field.kind == "choices":
        return _choices(field, form_id)
    if field.kind in {"list", "pairs"}:
        return _repeatable(field, form_id)
    return _scalar(field, control_id(form_id, field.path))


def render_field(field: Field, form_id: str) -> Markup:
    """``field`` with its label, its hint and the slot for its error."""
    identifier = control_id(form_id, field.path)
    # An optional object whose inputs are all left empty is not sent at all.
    key = _attributes(
        [("data-key", field.key), ("data-optional", field.kind == "object" and not field.required)]
    )
    if field.kind in {"object", "choices", "list", "pairs"}:
        return Markup('<fieldset class="field {}"{}><legend>{}</legend>{}{}{}</fieldset>').format(
            field.kind,
            key,
            _label_text(field),
            _hint(field, identifier),
            _inner(field, form_id),
            _error_slot(identifier),
        )
    return Markup('<div class="field"{}><label for="{}">{}</label> {}{}{}</div>').format(
        key,
        identifier,
        _label_text(field),
        _inner(field, form_id),
        _hint(field, identifier),
        _error_slot(identifier),
    )


def render_form(form: Form) -> Markup:
    multipart = any(field.kind == "file" for field in form.fields)
    attributes = [
        ("id", form.form_id),
        ("method", "post"),
        ("action", form.action),
        ("enctype", "multipart/form-data" if multipart else None),
        ("novalidate", True),
        ("data-method", form.method),
        ("data-if-match", form.if_match or None),
        ("data-then", form.then),
        ("data-leave-to", form.leave_to or None),
        ("data-changed-only", form.changed_only),
        ("aria-labelledby", f"{form.form_id}-heading"),
    ]
    fields = NOTHING.join(render_field(field, form.form_id) for field in form.fields)
    result = (
        Markup('<pre class="result" role="status" aria-live="polite" hidden></pre>')
        if form.then == "result"
        else NOTHING
    )
    return Markup(
        '<form{0}><h2 id="{1}-heading">{2}</h2>{3}<button type="submit">{4}</button>'
        '<div class="summary" role="alert" aria-live="assertive"></div>{5}</form>'
    ).format(_attributes(attributes), form.form_id, form.title, fields, form.button or form.method, result)
