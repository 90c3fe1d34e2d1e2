"""backrest: a REST backend for single-page apps, on Pyramid and Cornice.

The server is imported when it is made (:func:`main`) or asked for
(``backrest.method``): a script importing only :mod:`backrest.client`
loads none of it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["main", "method"]


def __getattr__(name: str) -> Any:
    """``backrest.method``, the decorator of typed methods."""
    if name == "method":
        from backrest.methods.declare import method  # noqa: PLC0415

        return method
    raise AttributeError(name)


# The order matters: each step may use what the ones before it set up.
INCLUDES = (
    "cornice",  # the service layer, with its exception views off
    "backrest.renderers",  # JSON with UTC timestamps
    "backrest.transactions",  # a transaction per request, run again when it lost a race
    "backrest.db",  # the engine, request.dbsession joined to the request's transaction
    "backrest.replicas",  # opt-in: safe reads on a read replica, the writer's position on its answers
    "backrest.errors",  # one error shape for everything below
    "backrest.tweens",  # the edge: request id, proxies, URL encoding, CORS, security headers
    "backrest.nostore",  # the no_store view option
    "backrest.security",  # identities, ACLs, CSRF, password hashing
    "backrest.throttle",  # rate limits
    "backrest.mail",  # transactional mail
    "backrest.observability",  # opt-in: Prometheus metrics at /-/metrics
    "backrest.accounts",
    "backrest.sessions",
    "backrest.keys",  # API keys
    "backrest.content",  # the config.add_content_type directive
    "backrest.methods",  # the config.add_method directive
    "backrest.files",  # content types whose objects are files
    "backrest.types",  # the content types the default app ships
    "backrest.audit",  # the audit log, read-only at /-/logs/
    "backrest.teams",  # teams, their members and grants, at /-/teams/
    "backrest.oauth",  # OAuth client applications, at /-/applications/
    "backrest.openapi",  # the OpenAPI document of the services above, and /-/docs
    "backrest.discovery",  # the API root lists what the steps above registered
    "backrest.frontend",  # last: the single-page app takes every path the API does not
)


def main(global_config: dict[str, Any], **settings: Any) -> Any:
    """The WSGI application for the settings of an ini file's ``[app:main]``."""
    import linecache  # noqa: PLC0415

    from backrest.configurator import Configurator  # noqa: PLC0415
    from backrest.request import request_class  # noqa: PLC0415
    from backrest.resources import Root  # noqa: PLC0415
    from backrest.settings import resolve  # noqa: PLC0415

    settings = resolve(settings)
    settings["handle_exceptions"] = False
    # Pyramid's static views would otherwise keep what they found for each
    # path asked for, missing ones included, for the process's life: memory
    # any stranger could grow by asking for new names. A file is looked up
    # on each request instead.
    settings.setdefault("pyramid.reload_assets", True)
    with Configurator(settings=settings, root_factory=Root) as config:
        for name in INCLUDES:
            config.include(name)
            # Pyramid notes where each configuration call came from, and reads
            # whole source files into linecache to do so. The lines it needs are
            # copied out: the cache would only hold 1 MB for the process's life.
            linecache.clearcache()
        if settings["backrest.db.auto_migrate"]:
            # Imported here: alembic costs 10 MB of memory to every process
            # that never migrates (production runs `backrest migrate`).
            from backrest.migrations import schema_steps, upgrade  # noqa: PLC0415

            upgrade(config.registry["db_engine"], then=schema_steps(settings))
        config.commit()
        linecache.clearcache()
        config.set_request_factory(request_class(config.registry))
    return config.make_wsgi_app()
