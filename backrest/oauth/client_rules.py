"""The rules across an application's fields: which grants and redirect URIs each client type may have.

Checked on the application as it would be after a write (the stored
fields with the ones the request gives), so that no partial update can
leave it inconsistent.

- The password grant (RFC 6749 section 4.3) hands the user's password to
  the client. Only a confidential client may use it: the token endpoint
  authenticates it by its secret, whereas anyone can claim to be a public
  client and try passwords through it.
- The authorization code grant sends users back to a redirect URI: it needs
  at least one.
- A refresh token comes from another grant: ``refresh_token`` alone gives
  no token at all.
- Private-use URI schemes are claimed by native apps, which are public
  clients (RFC 8252 section 8.4): a confidential client uses https.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.oauth.models import AUTHORIZATION_CODE, CONFIDENTIAL, PASSWORD, REFRESH_TOKEN
from backrest.oauth.redirect_uris import is_private_use

if TYPE_CHECKING:
    from collections.abc import Sequence


def problems(
    client_type: str, grant_types: Sequence[str], redirect_uris: Sequence[str]
) -> list[tuple[str, str]]:
    """Each inconsistency, as ``(field, description)``; none for a consistent application."""
    found = []
    if PASSWORD in grant_types and client_type != CONFIDENTIAL:
        found.append(("grant_types", "The password grant is only for confidential clients."))
    if list(grant_types) == [REFRESH_TOKEN]:
        found.append(
            (
                "grant_types",
                "refresh_token needs a grant that issues refresh tokens: authorization_code or password.",
            )
        )
    if AUTHORIZATION_CODE in grant_types and not redirect_uris:
        found.append(("redirect_uris", "The authorization_code grant needs at least one redirect URI."))
    if client_type == CONFIDENTIAL:
        found.extend(
            (
                f"redirect_uris.{position}",
                "Private-use schemes are for native apps, which are public clients.",
            )
            for position, uri in enumerate(redirect_uris)
            if is_private_use(uri)
        )
    return found
