"""backrest as the side-by-side benchmark serves it: production settings from the environment.

``BACKREST_SQLALCHEMY_URL`` names the database; everything else is
``production.ini``'s defaults that a benchmark can meet on one machine: no
TLS (the cookie is not ``Secure``), logging at WARNING, no mail worker.
"""

from __future__ import annotations

import logging

from backrest import main

logging.basicConfig(level=logging.WARNING)

SETTINGS = {
    "backrest.db.auto_migrate": "false",
    "backrest.session.secure": "false",
    "backrest.mail.worker": "false",
    "backrest.mail.transport": "file",
    "sqlalchemy.pool_size": "8",  # one connection per waitress thread
    # The load comes from one account and one address: every request is
    # counted, as in production, at rates the load never reaches.
    "backrest.throttle.anon": "1000000000/hour",
    "backrest.throttle.user": "1000000000/hour",
}

application = main({}, **SETTINGS)
