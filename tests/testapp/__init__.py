"""Views and content types that exist only in tests, included with ``pyramid.includes = tests.testapp``.

The content types are the toys of :mod:`tests.testapp.models`; their tables
are created once the application is (after the migrations made ``users``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.events import ApplicationCreated

from backrest.accounts.models import User
from backrest.security.permissions import Permission, Principal
from tests.testapp import models

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request


class BrokenError(RuntimeError):
    pass


def fail_after_write(request: Request) -> None:
    """Write a row, then fail the way a bug would: the row must not survive."""
    request.dbsession.add(User(email="ghost@example.com", password_hash="x"))
    request.dbsession.flush()
    msg = "SELECT secret FROM broken WHERE password = 'hunter2'"
    raise BrokenError(msg)


def create_toy_tables(event: ApplicationCreated) -> None:
    models.create_tables(event.app.registry["db_engine"])


def add_toy_content_types(config: Configurator) -> None:
    config.add_content_type(
        name="announcements",
        model=models.Announcement,
        schema=models.AnnouncementSchema,
        description="Only admins may post announcements.",
        search=("title",),
        creators=(Principal.ADMIN,),
    )
    config.add_content_type(
        name="tallies",
        model=models.Tally,
        schema=models.TallySchema,
        description="Counters: no search fields, every lookup on an integer.",
        filters={"name": ("exact",), "count": ("exact", "in", "gt", "gte", "lt", "lte")},
        ordering=("name", "count"),
        default_ordering="count",
    )
    config.add_content_type(
        name="recipes",
        model=models.Recipe,
        schema=models.RecipeSchema,
        description="Recipes: nested details, a range and choices.",
        filters={"vegetarian": ("exact",), "difficulty": ("exact", "in"), "servings": ("gte", "lte")},
        search=("name",),
        ordering=("name", "servings", "created"),
    )
    config.add_content_type(
        name="bookmarks",
        model=models.Bookmark,
        schema=models.BookmarkSchema,
        description="Bookmarks in folders that are checked only at commit.",
    )
    config.add_content_type(
        name="attachments",
        model=models.Attachment,
        schema=models.AttachmentSchema,
        description="Attachments in folders that are checked only at commit.",
    )


def includeme(config: Configurator) -> None:
    config.add_route("testapp.fail", "/-/testing/fail")
    config.add_view(fail_after_write, route_name="testapp.fail", permission=Permission.PUBLIC)
    # ``pyramid.includes`` come before the application's own steps: bring in
    # the two that declaring a content type needs (each is included only once).
    config.include("cornice")
    config.include("backrest.content")
    config.include("backrest.files")
    add_toy_content_types(config)
    config.include("tests.testapp.methods")
    config.add_subscriber(create_toy_tables, ApplicationCreated)
