"""The tweens every response goes through, outermost first.

1. request id: ``X-Request-Id`` and request logging, around everything else;
2. proxy: the client address, scheme, host and prefix from trusted proxies;
3. headers: the security headers of every response;
4. cors: cross-origin preflights and response headers;
5. encoding: a URL that is not UTF-8 is a 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.tweens import INGRESS

if TYPE_CHECKING:
    from pyramid.config import Configurator

ORDER = (
    "backrest.tweens.requestid.requestid_tween_factory",
    "backrest.tweens.proxy.proxy_tween_factory",
    "backrest.tweens.headers.headers_tween_factory",
    "backrest.tweens.cors.cors_tween_factory",
    "backrest.tweens.encoding.encoding_tween_factory",
)


def includeme(config: Configurator) -> None:
    above = INGRESS
    for name in ORDER:
        config.add_tween(name, under=above)
        above = name
