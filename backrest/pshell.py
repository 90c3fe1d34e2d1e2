"""``pshell development.ini``: a shell with a request, its transaction and the models."""

from __future__ import annotations

from typing import Any

from backrest.accounts.models import User
from backrest.audit.models import AuditEntry
from backrest.mail.models import OutboxMessage
from backrest.sessions.models import UserSession


def setup(env: dict[str, Any]) -> None:
    request = env["request"]
    request.tm.begin()
    env["tm"] = request.tm
    env["dbsession"] = request.dbsession
    env["models"] = {model.__name__: model for model in (User, UserSession, AuditEntry, OutboxMessage)}
