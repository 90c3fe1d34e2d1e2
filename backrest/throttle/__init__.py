"""Rate limits: on every request, per caller, and on the account services against brute force.

- :mod:`~backrest.throttle.decision`: what counting answers, and the 429;
- :mod:`~backrest.throttle.limiter`: the counting, :class:`Throttle` (``registry["throttle"]``);
- :mod:`~backrest.throttle.storage`: memory, or Redis shared by every process;
- :mod:`~backrest.throttle.clients`: who a client is, for every count;
- :mod:`~backrest.throttle.rates`: which rate a request counts against;
- :mod:`~backrest.throttle.tween`: the count of every request;
- :mod:`~backrest.throttle.guesses`: the budgets a password check counts against;
- :mod:`~backrest.throttle.devices`: the device cookies that tell the owner's devices.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from pyramid.tweens import EXCVIEW, MAIN

from backrest.throttle.clients import client_key
from backrest.throttle.decision import Decision, too_many
from backrest.throttle.devices import DeviceCookies, remember_device
from backrest.throttle.guesses import count_guess
from backrest.throttle.limiter import Throttle, key_of
from backrest.throttle.storage import ThrottleStorage
from backrest.throttle.tween import count_apart, leave_uncounted

if TYPE_CHECKING:
    from pyramid.config import Configurator

__all__ = [
    "SCOPES",
    "Decision",
    "Throttle",
    "client_key",
    "count_apart",
    "count_guess",
    "key_of",
    "leave_uncounted",
    "remember_device",
    "too_many",
]

SCOPES = (
    "login",
    "login_failures",
    "login_account",
    "login_device",
    "signup",
    "signup_account",
    "reset",
    "reset_account",
    "resend",
    "resend_account",
    "oauth_token",
    "oauth_client",
)
"""The brute-force scopes, each with its ``backrest.throttle.<scope>`` rate."""


def includeme(config: Configurator) -> None:
    settings: dict[str, Any] = config.get_settings()
    config.registry["throttle"] = Throttle(
        {scope: settings[f"backrest.throttle.{scope}"] for scope in SCOPES},
        ThrottleStorage(settings["backrest.redis_url"]),
    )
    # Without a secret of the deployment's, one of this process's: its cookies
    # are worth nothing to another process or after a restart, where their
    # devices count as any other client.
    secret = settings["backrest.throttle.device_secret"] or secrets.token_urlsafe(32)
    config.registry["device_cookies"] = DeviceCookies(secret, secure=settings["backrest.session.secure"])
    # Under the exception views, which turn its 429 into the one error shape;
    # under pyramid_tm and the proxy tween (backrest.tweens), so the caller's
    # identity and address are known.
    config.add_tween("backrest.throttle.tween.throttle_tween_factory", under=EXCVIEW, over=MAIN)
