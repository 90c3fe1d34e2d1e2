"""Rate limits: on every request, per caller, and on the account services against brute force.

- :mod:`~backrest.throttle.decision`: what counting answers, and the 429;
- :mod:`~backrest.throttle.limiter`: the counting, :class:`Throttle` (``registry["throttle"]``);
- :mod:`~backrest.throttle.storage`: memory, or Redis shared by every process;
- :mod:`~backrest.throttle.rates`: which rate a request counts against;
- :mod:`~backrest.throttle.tween`: the count of every request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyramid.tweens import EXCVIEW, MAIN

from backrest.throttle.decision import Decision, too_many
from backrest.throttle.limiter import Throttle, key_of
from backrest.throttle.storage import ThrottleStorage

if TYPE_CHECKING:
    from pyramid.config import Configurator

__all__ = ["SCOPES", "Decision", "Throttle", "key_of", "too_many"]

SCOPES = (
    "login",
    "login_failures",
    "login_account",
    "signup",
    "signup_account",
    "reset",
    "reset_account",
    "resend",
    "resend_account",
)
"""The brute-force scopes, each with its ``backrest.throttle.<scope>`` rate."""


def includeme(config: Configurator) -> None:
    settings: dict[str, Any] = config.get_settings()
    config.registry["throttle"] = Throttle(
        {scope: settings[f"backrest.throttle.{scope}"] for scope in SCOPES},
        ThrottleStorage(settings["backrest.redis_url"]),
    )
    # Under the exception views, which turn its 429 into the one error shape;
    # under pyramid_tm and the proxy tween (backrest.tweens), so the caller's
    # identity and address are known.
    config.add_tween("backrest.throttle.tween.throttle_tween_factory", under=EXCVIEW, over=MAIN)
