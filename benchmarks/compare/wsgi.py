"""backrest as the side-by-side benchmark serves it: production settings from the environment.

``BACKREST_SQLALCHEMY_URL`` names the database; everything else is
``production.ini``'s defaults that a benchmark can meet on one machine: no
TLS (the cookie is not ``Secure``), logging at WARNING, no mail worker.
"""

from __future__ import annotations

import logging

from backrest import main
from benchmarks.compare.settings import SETTINGS

logging.basicConfig(level=logging.WARNING)

application = main({}, **SETTINGS)
