"""The ACL vocabulary: every permission and principal, in one place."""

from __future__ import annotations

import enum

from pyramid.authorization import Authenticated, Everyone
from pyramid.security import Denied


class Permission(enum.StrEnum):
    PUBLIC = "__no_permission_required__"
    ACCOUNT = "account"
    """Manage one's own account: profile, password, sessions."""
    IDENTITY = "identity"
    """Read who one is (the profile): a key with the ``read`` scope may."""
    VIEW = "view"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    SHARE = "share"
    """Share an object with a team: its owner's, not its editors'."""


OBJECT_PERMISSIONS = (Permission.VIEW, Permission.EDIT, Permission.DELETE)
"""What a caller may do to one object, as ``__meta__.permissions`` lists it.

Also what a team's grant on a content type (``documents.edit``) allows on
every object of it, whoever owns it."""

GRANTABLE = (Permission.VIEW, Permission.CREATE, Permission.EDIT, Permission.DELETE)
"""What a team may be granted on a content type: only ``view`` on a read-only one."""


def type_permission(content_type: str, permission: Permission) -> str:
    """The name of a grant on a content type: ``documents.edit``."""
    return f"{content_type}.{permission}"


class Principal(enum.StrEnum):
    EVERYONE = Everyone
    AUTHENTICATED = Authenticated
    ADMIN = "role:admin"


def user_principal(user_id: str) -> str:
    return f"user:{user_id}"


class ScopeDenied(Denied):
    """Refused by an API key's scopes, not by the object's ACL: a 403 that says so."""


def team_principal(team_id: str) -> str:
    """Held by every member of the team (and by the team's own keys)."""
    return f"team:{team_id}"


def grant_principal(permission: str) -> str:
    """Held by the members of a team that was granted ``permission`` (``documents.view``)."""
    return f"grant:{permission}"
