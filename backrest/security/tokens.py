"""Secret tokens for links and cookies, and the hashes we keep of them.

Tokens carry 256 random bits, so a plain SHA-256 is enough to store them:
nothing can be guessed, and a leaked table holds no usable token. (Passwords,
which people choose, need argon2 instead.)
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from backrest.db import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlalchemy.sql.elements import ColumnElement

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def spend_once(dbsession: Session, model: type[Any], row_id: Any, *conditions: ColumnElement[bool]) -> bool:
    """Mark the token row ``row_id`` of ``model`` used; ``False`` when another request did first.

    One conditional UPDATE, whose row count tells: of two requests that
    found the token live, only one sees its UPDATE change a row.
    """
    result = dbsession.execute(
        update(model).where(model.id == row_id, model.used.is_(None), *conditions).values(used=utcnow()),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1
