"""Who is calling and what they may do: the security policy, CSRF and passwords."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    # Imported here: importing backrest.security.permissions (the ACL vocabulary,
    # which models use) must not import the policy, which imports models.
    from backrest.security.passwords import Passwords  # noqa: PLC0415
    from backrest.security.policy import (  # noqa: PLC0415
        SecurityPolicy,
        SessionCSRFStoragePolicy,
        is_cookie_authenticated,
    )

    config.registry["passwords"] = Passwords.from_settings(config.get_settings())
    config.set_security_policy(SecurityPolicy())
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
