"""Recording events in the audit log, in the request's own transaction, and ``/-/logs/``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam

from backrest.audit.models import AuditEntry
from backrest.db import mark_written, new_public_id, utcnow
from backrest.schema import Body
from backrest.serialize import jsonable

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

    from backrest.content.loading import Along


INSERT = AuditEntry.__table__.insert()

PARAMETER_PREFIX = "audit_"
INSERT_ALONG = AuditEntry.__table__.insert().values(
    {
        column.key: bindparam(PARAMETER_PREFIX + column.key, type_=column.type)
        for column in AuditEntry.__table__.c
    }
)
"""The insert of an entry written by another table's statement, its parameters named apart."""


def entry(
    request: Request,
    action: str,
    *,
    actor_id: str | None = None,
    object_type: str = "",
    object_id: str = "",
    owner_id: str | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The values of one entry; ``actor_id`` defaults to the authenticated user.

    ``owner_id`` is whoever owns the object (for an account, the account
    itself): they may read the entry. ``changes`` must never hold secrets:
    callers name changed secret fields (``{"password": "changed"}``), never
    their values.
    """
    if actor_id is None and request.identity is not None:
        actor_id = request.identity.actor
    if owner_id is None and object_type == "user":
        owner_id = object_id
    return {
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "owner_id": owner_id,
        "changes": json.loads(json.dumps(changes or {}, default=jsonable)),
        "ip": request.client_addr or "",
    }


def record(request: Request, action: str, **details: Any) -> None:
    """Write one entry (:func:`entry` tells its ``details``).

    The entry is inserted at once, on the connection of the request's
    session: it changes nothing the session holds, and the session's unit of
    work would cost a write about a tenth more.
    """
    session = request.dbsession
    session.connection().execute(INSERT, entry(request, action, **details))
    mark_written(session)


def along(request: Request, action: str, **details: Any) -> Along:
    """An entry to be written by the statement of the write it records (:meth:`ObjectRows.insert`)."""
    values = {"id": new_public_id(), "created": utcnow(), **entry(request, action, **details)}
    return INSERT_ALONG, {PARAMETER_PREFIX + name: value for name, value in values.items()}


def includeme(config: Configurator) -> None:
    config.add_content_type(
        name="logs",
        model=AuditEntry,
        schema=Body,
        description="The audit log: who did what, to which object, from where, and when.",
        filters={
            "action": ("exact", "in"),
            "actor_id": ("exact",),
            "object_type": ("exact", "in"),
            "object_id": ("exact",),
            "created": ("gt", "gte", "lt", "lte"),
        },
        ordering=("created",),
        default_ordering="-created",
        read_only=True,
        shareable=False,
        kind="log",
    )
