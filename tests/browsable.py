"""The forms of a browsable page as a browser sees them, and what the page's script would send."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}


@dataclass
class Control:
    tag: str
    attributes: dict[str, str | None]
    in_template: bool
    in_item: bool
    value: str = ""
    optional_group: int | None = None
    """The innermost optional object around it: left all empty, such an object is not sent."""

    @property
    def name(self) -> str | None:
        return self.attributes.get("name")

    @property
    def type(self) -> str:
        return self.attributes.get("type") or self.tag

    def sent(self) -> bool:
        """Whether the page's script sends this control (before an edit keeps only what changed)."""
        if self.name is None or self.in_template:
            return False
        if self.type == "checkbox" and "checked" not in self.attributes:
            return False
        omitted = "data-omit-empty" in self.attributes or self.in_item
        return not (omitted and self.value == "")


@dataclass
class PageForm:
    attributes: dict[str, str | None]
    controls: list[Control] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    """Each label's text, by the id of its control."""

    @property
    def method(self) -> str:
        return self.attributes["data-method"] or ""

    @property
    def action(self) -> str:
        return self.attributes["action"] or ""

    def control(self, name: str) -> Control:
        return next(control for control in self.controls if control.name == name and control.type != "hidden")

    def fields(self) -> list[tuple[str, str]]:
        sent = [control for control in self.controls if control.sent()]
        filled = {control.optional_group for control in sent if control.value != ""}
        return [
            (control.name, control.value)
            for control in sent
            if control.optional_group is None or control.optional_group in filled
        ]


class FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, PageForm] = {}
        self.form: PageForm | None = None
        self.templates = 0
        self.items: list[bool] = []
        self.select: Control | None = None
        self.textarea: Control | None = None
        self.label: tuple[str, list[str]] | None = None
        self.fieldsets = 0
        self.groups: list[int | None] = []
        """For each open fieldset, its number if it is an optional object."""
        self.chosen: bool | None = None
        """Whether the open select's value is a selected option (``None``: no option yet)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.form = self.forms[attributes["id"]] = PageForm(attributes)
        elif self.form is None:
            return
        elif tag == "template":
            self.templates += 1
        elif tag == "fieldset":
            self.fieldsets += 1
            self.groups.append(self.fieldsets if "data-optional" in attributes else None)
        elif tag == "label" and attributes.get("for"):
            self.label = (attributes["for"], [])
        elif tag in CONTROLS:
            in_item = any(marker in attributes for marker in ("data-item", "data-pair")) or self._in_item()
            group = next((number for number in reversed(self.groups) if number is not None), None)
            value = attributes.get("value") or ""
            control = Control(tag, attributes, self.templates > 0, in_item, value, group)
            self.form.controls.append(control)
            self.select = control if tag == "select" else self.select
            self.textarea = control if tag == "textarea" else None
            self.chosen = None
        elif (
            tag == "option" and self.select is not None and (self.chosen is None or "selected" in attributes)
        ):
            # A select shows its first option unless another is selected.
            self.select.value = attributes.get("value") or ""
            self.chosen = "selected" in attributes
        if tag == "div":
            self.items.append("data-item" in attributes or "data-pair" in attributes)

    def _in_item(self) -> bool:
        return any(self.items)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "template":
            self.templates -= 1
        elif tag == "fieldset" and self.groups:
            self.groups.pop()
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "label" and self.label is not None and self.form is not None:
            self.form.labels[self.label[0]] = "".join(self.label[1]).strip()
            self.label = None
        elif tag == "div" and self.items:
            self.items.pop()

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data
        if self.label is not None:
            self.label[1].append(data)


def page_forms(html: str) -> dict[str, PageForm]:
    """The page's forms by id: login, logout, query, create, edit, delete, call."""
    reader = FormReader()
    reader.feed(html)
    return reader.forms
