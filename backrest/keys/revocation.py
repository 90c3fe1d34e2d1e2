"""Revoking every key of a user at once, when the account's past cannot be trusted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete

from backrest.keys.models import ApiKey

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def revoke_keys_of(dbsession: Session, user_id: str) -> None:
    """Every personal key of the user stops working, and every team key they made."""
    dbsession.execute(
        delete(ApiKey).where((ApiKey.user_id == user_id) | (ApiKey.created_by == user_id)),
        execution_options={"synchronize_session": False},
    )
