"""Who is calling and what they may do: the security policy, its credential sources, CSRF and passwords."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.events import ContextFound

from backrest.security.passwords import Passwords
from backrest.security.sources import (
    REGISTRY_KEY,
    CredentialSources,
    add_client_authenticated_path,
    add_credential_source,
)

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    # Imported here: the policy answers in the error shape of backrest.errors,
    # which imports this package's permissions and sources.
    from backrest.security.policy import (  # noqa: PLC0415
        SecurityPolicy,
        SessionCSRFStoragePolicy,
        is_cookie_authenticated,
        judge_credentials,
    )

    config.registry["passwords"] = Passwords.from_settings(config.get_settings())
    config.registry[REGISTRY_KEY] = CredentialSources()
    config.add_directive("add_credential_source", add_credential_source)
    config.add_directive("add_client_authenticated_path", add_client_authenticated_path)
    config.set_security_policy(SecurityPolicy())
    config.add_subscriber(judge_credentials, ContextFound)
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    # Origin checks add nothing to a custom header that cross-origin pages
    # cannot send without a CORS preflight, and would refuse our own
    # listed CORS origins.
    config.set_default_csrf_options(
        require_csrf=True,
        token=None,
        header="X-CSRF-Token",
        check_origin=False,
        callback=is_cookie_authenticated,
    )
