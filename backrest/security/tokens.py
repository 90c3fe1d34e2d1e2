"""Secret tokens for links and cookies, and the hashes we keep of them.

Tokens carry 256 random bits, so a plain SHA-256 is enough to store them:
nothing can be guessed, and a leaked table holds no usable token. (Passwords,
which people choose, need argon2 instead.)
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
