"""The root of the resource tree and its site-wide grants."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.authorization import ALL_PERMISSIONS, Allow

from backrest.security.permissions import Permission, Principal

if TYPE_CHECKING:
    from pyramid.request import Request


class Root:
    __name__ = ""
    __parent__ = None
    __acl__: tuple[tuple[str, str, Any], ...] = (
        (Allow, Principal.ADMIN, ALL_PERMISSIONS),
        (Allow, Principal.AUTHENTICATED, Permission.ACCOUNT),
        (Allow, Principal.AUTHENTICATED, Permission.IDENTITY),
    )

    def __init__(self, request: Request) -> None:
        """Made by Pyramid for each request; the request is not kept: it holds its root."""
