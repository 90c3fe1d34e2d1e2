"""``GET /-/``, ``GET /-/heartbeat`` and ``GET /-/version``."""

from __future__ import annotations

import logging
from importlib.metadata import version as package_version
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backrest.discovery.schemas import ROOT, Heartbeat, Version
from backrest.errors import Errors, errors_exception
from backrest.replicas import REPLICA
from backrest.security.permissions import Permission
from backrest.service import Service, service_key, service_url

if TYPE_CHECKING:
    from pyramid.request import Request

log = logging.getLogger(__name__)

root = Service("discovery.root", "/-/", "The API root: every collection, service and method.")
heartbeat = Service("discovery.heartbeat", "/-/heartbeat", "Whether the service and its parts work.")
version = Service("discovery.version", "/-/version", "The running version.")

SERVICES = (root, heartbeat, version)
LISTED_PREFIXES = ("/-/", "/oauth2/", "/.well-known/")
"""Where the API's services live: the accounts and content under ``/-/``, and OAuth2's standard paths."""


@root.get(permission=Permission.PUBLIC, response_schema=ROOT)
def root_view(request: Request) -> dict[str, Any]:
    services = {
        service_key(service.name): {"url": service_url(request, service), "description": service.description}
        for service in request.registry["backrest.services"]
        if "{" not in service.path
        and service.path.startswith(LISTED_PREFIXES)
        and service is not root
        and not hasattr(service, "content_type")
        and not hasattr(service, "method_spec")
    }
    methods = {
        key: {"url": service_url(request, service), "description": service.description}
        for key, service in sorted(request.registry.get("backrest.methods", {}).items())
    }
    collections = {
        name: {
            "url": f"{request.application_url}/-/{name}/",
            "description": content_type.description,
            "kind": content_type.kind,
        }
        for name, content_type in request.registry.get("backrest.content_types", {}).items()
    }
    return {"collections": collections, "services": services, "methods": methods}


PARTS = {"database": "The database", "files": "The file storage", "redis": "Redis"}
"""What each check of the heartbeat is about, as its error names it."""


def _database_works(request: Request) -> bool:
    try:
        with request.registry["db_engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("heartbeat: the database does not answer")
        return False
    return True


def _file_storage_works(request: Request) -> bool:
    store = request.registry["backrest.files"]
    if store.works():
        return True
    log.error("heartbeat: the file storage does not work: %s", store.problem())
    return False


def _uses_redis(settings: dict[str, Any]) -> bool:
    """Whether the rate limits or the page cache are in Redis."""
    cache_url = settings["backrest.cache.url"]
    return bool(settings["backrest.redis_url"]) or bool(cache_url and not cache_url.startswith("memory:"))


def _redis_works(request: Request) -> bool:
    """Whether the Redis of the rate limits and that of the page cache answer, whichever are used."""
    cache = request.registry.get("backrest.page_cache")
    if request.registry["throttle"].storage.works() and (cache is None or cache.works()):
        return True
    log.error("heartbeat: Redis does not answer; each process counts rate limits, lists are not cached")
    return False


def _replica_state(request: Request) -> str | None:
    """``ok``, ``degraded`` when the read replica does not answer (the primary serves its reads), or none."""
    replica = request.registry.get(REPLICA)
    if replica is None:
        return None
    if replica.works():
        return "ok"
    log.error("heartbeat: the read replica does not answer; reads go to the primary")
    return "degraded"


@heartbeat.get(permission=Permission.PUBLIC, response_schema=Heartbeat())
def heartbeat_view(request: Request) -> dict[str, Any]:
    checks = {"database": _database_works(request), "files": _file_storage_works(request)}
    if _uses_redis(request.registry.settings):
        checks["redis"] = _redis_works(request)
    failed = [name for name, works in checks.items() if not works]
    if failed:
        errors = Errors(503)
        for name in failed:
            errors.add("request", name, f"{PARTS[name]} does not answer.")
        raise errors_exception(errors)
    request.response.headers["Cache-Control"] = "no-store"
    states = dict.fromkeys(checks, "ok")
    replica = _replica_state(request)
    if replica is not None:
        # Not a failure: the primary serves every read the replica would.
        states["replica"] = replica
    return {"status": "ok", "checks": states}


@version.get(permission=Permission.PUBLIC, response_schema=Version())
def version_view(request: Request) -> dict[str, str]:
    return {
        "name": "backrest",
        "version": request.registry.settings["backrest.version"] or package_version("backrest"),
    }
