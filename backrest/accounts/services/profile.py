"""The profile's fields, and deleting the account."""

from __future__ import annotations

from typing import Any

from backrest.accounts import mails
from backrest.accounts.models import User
from backrest.accounts.services.base import AccountOperations
from backrest.security.reauth import require_recent_password


class ProfileService(AccountOperations):
    def update_profile(self, data: dict[str, Any]) -> None:
        user = self.user
        before = {field: getattr(user, field) for field in User.PROFILE_FIELDS}
        user.update(data)
        changes = {
            field: [before[field], getattr(user, field)]
            for field in User.PROFILE_FIELDS
            if before[field] != getattr(user, field)
        }
        if changes:
            self.record("profile_updated", user.id, changes=changes)

    def delete_account(self) -> None:
        require_recent_password(self.request)
        user = self.user
        self.mail(user.email, mails.account_deleted(self.circumstances()))
        self.sessions.end_all(user)
        self.record("account_deleted", user.id)
        self.dbsession.delete(user)
        self.dbsession.flush()
        self.forget_caller()
