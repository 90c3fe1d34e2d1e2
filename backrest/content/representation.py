"""An object's representation: its fields, ``public``, and the read-only ``__meta__``.

The representation is designed to be posted back: everything under
``__meta__`` is ignored on input, and so is every key the model does not
know, so a GET followed by a PUT of the same document changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.authorization import ACLHelper

from backrest.content.models import Content
from backrest.security.identity import principals
from backrest.security.permissions import OBJECT_PERMISSIONS

if TYPE_CHECKING:
    from collections.abc import Hashable

    from pyramid.request import Request

    from backrest.content.resources import ItemResource


def permissions(request: Request, item: ItemResource) -> list[str]:
    """What the caller may do to the object.

    Asked of the item's ACL with the caller's principals, as the security
    policy does (:meth:`backrest.security.policy.SecurityPolicy.permits`),
    without going through Pyramid for each permission.
    """
    helper = ACLHelper()
    identity = request.identity
    held = principals(identity)
    return [
        str(permission)
        for permission in OBJECT_PERMISSIONS
        if helper.permits(item, held, permission) and not (identity and identity.scope_denies(permission))
    ]


def _acl_key(item: ItemResource) -> tuple[Hashable, ...]:
    obj = item.obj
    if type(obj).__acl__ is Content.__acl__:
        # Content's own ACL is decided by these two, the rest of the item's by its shares:
        # no need to build it to tell two objects' apart.
        return (obj.owner_id, obj.public, item.shared_with)
    # Pyramid's ALL_PERMISSIONS cannot be hashed: an entry whose permission
    # is not a name or a tuple of names is keyed by the object itself.
    return tuple(
        (action, principal, permission if isinstance(permission, str | tuple) else id(permission))
        for action, principal, permission in item.__acl__()
    )


def permissions_of(request: Request, items: list[ItemResource]) -> list[list[str]]:
    """What the caller may do to each of ``items``.

    Pyramid's security policy is asked once per distinct ACL, not once per
    object: the objects of one page mostly share a few (same owner, same
    sharing), and asking costs more than anything else a page does.
    """
    known: dict[tuple[Hashable, ...], list[str]] = {}
    allowed = []
    for item in items:
        key = _acl_key(item)
        if key not in known:
            known[key] = permissions(request, item)
        allowed.append(known[key])
    return allowed


def fields(request: Request, item: ItemResource) -> dict[str, Any]:
    """The writable part: what the model gives, and whether the object is public."""
    if not item.__parent__.content_type.shareable:
        return item.obj.__json__(request)
    return {**item.obj.__json__(request), "public": item.obj.public}


def representation(request: Request, item: ItemResource, allowed: list[str] | None = None) -> dict[str, Any]:
    obj = item.obj
    allowed = permissions(request, item) if allowed is None else allowed
    return {
        **fields(request, item),
        "__meta__": {
            "id": obj.id,
            "url": item.url,
            "created": obj.created,
            "modified": obj.modified,
            "owner": obj.owner_id,
            "version": obj.version,
            "permissions": allowed,
        },
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """What a write changed, field by field, as ``{field: [old, new]}``.

    A field only one side has changed from or to ``None``: a deletion
    (``after`` empty) records every old value.
    """
    names = {**before, **after}
    return {
        name: [before.get(name), after.get(name)] for name in names if before.get(name) != after.get(name)
    }
