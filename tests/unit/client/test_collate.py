import argparse
import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from backrest.client import API
from backrest.client.cli import attach_dashed_values, field
from backrest.client.content import query_value
from backrest.client.objects import wrap


class Status(enum.Enum):
    draft = 1
    archived = 2


@dataclass
class Window:
    start: datetime
    days: int


@pytest.fixture
def api():
    # Nothing is sent: collate only shows what a call would send.
    return API("http://127.0.0.1:9", [])


def test_collate_shows_the_form_fields_of_a_call(api):
    document = wrap({"title": "Minutes", "__meta__": {"id": "doc-1"}})
    fields = api.method("documents.set_status").collate(documents=[document, "doc-2"], status=Status.archived)
    assert fields == [("documents.0", "doc-1"), ("documents.1", "doc-2"), ("status", "archived")]


def test_collate_writes_every_type_of_argument(api):
    fields = api.method("reports.make").collate(
        window=Window(datetime(2026, 1, 1, tzinfo=UTC), 7),
        amount=Decimal("23.40"),
        data=b"\x00\xff",
        scores={"ada": 1.5},
        flags=[],
        note=None,
        draft=True,
    )
    assert fields == [
        ("window.start", "1767225600.0"),
        ("window.days", "7"),
        ("amount", "23.40"),
        ("data", "AP8="),
        ("scores.ada", "1.5"),
        ("flags.", ""),
        ("note", ""),
        ("draft", "true"),
    ]


def test_collate_refuses_what_cannot_be_sent(api):
    with pytest.raises(ValueError, match="aware"):
        api.method("reports.make").collate(start=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(TypeError):
        api.method("reports.make").collate(thing=object())


def test_a_method_has_its_name(api):
    assert api.method("home.describe_site").name == "home.describe_site"


def test_filter_values_are_written_as_a_query_string_reads_them():
    paris = timezone(timedelta(hours=1))
    assert query_value(True) == "true"
    assert query_value(["draft", Status.archived]) == "draft,archived"
    assert query_value(datetime(2026, 1, 1, 1, tzinfo=paris)) == "2026-01-01T00:00:00Z"
    assert query_value(3) == "3"
    with pytest.raises(ValueError, match="aware"):
        query_value(datetime(2026, 1, 1))  # noqa: DTZ001


def test_command_line_fields_are_name_value():
    assert field("attributes.priority=2") == ("attributes.priority", "2")
    assert field("formula=a=b") == ("formula", "a=b")
    assert field("tags.=") == ("tags.", "")
    with pytest.raises(argparse.ArgumentTypeError, match="not name=value"):
        field("title")


def test_an_ordering_may_start_with_a_dash():
    arguments = ["list", "URL", "documents", "--ordering", "-title,created", "--search", "-x", "--limit", "3"]
    assert attach_dashed_values(arguments) == [
        "list",
        "URL",
        "documents",
        "--ordering=-title,created",
        "--search=-x",
        "--limit",
        "3",
    ]
    assert attach_dashed_values(["--ordering", "title"]) == ["--ordering", "title"]


def test_an_argument_may_have_any_name(api):
    assert api.method("home.describe_site").collate(self="me", arguments=[1]) == [
        ("self", "me"),
        ("arguments.0", "1"),
    ]
