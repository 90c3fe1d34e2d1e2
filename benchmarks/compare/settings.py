"""The settings the side-by-side benchmark serves backrest with, beside ``BACKREST_SQLALCHEMY_URL``.

Kept apart from ``wsgi.py``, which builds the application when imported,
so that ``benchmarks/request_cost.py`` builds its own with the same settings.
"""

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
