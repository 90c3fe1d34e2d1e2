"""Recording events in the audit log, in the request's own transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backrest.audit.models import AuditEntry

if TYPE_CHECKING:
    from pyramid.request import Request


def record(
    request: Request,
    action: str,
    *,
    actor_id: str | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry; ``actor_id`` defaults to the authenticated user.

    ``changes`` must never hold secrets: callers name changed secret fields
    (``{"password": "changed"}``), never their values.
    """
    if actor_id is None:
        actor_id = request.authenticated_userid
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=changes or {},
        ip=request.client_addr or "",
    )
    request.dbsession.add(entry)
    return entry
