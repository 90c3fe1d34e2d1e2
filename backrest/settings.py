"""Every ``backrest.*`` setting: parsed, typed and defaulted in one place.

Settings come from the ini file; any of them can be overridden from the
environment, which is how production passes secrets and URLs without writing
them into a file: ``backrest.mail.smtp.password`` is read from
``BACKREST_MAIL_SMTP_PASSWORD``, ``sqlalchemy.url`` from
``BACKREST_SQLALCHEMY_URL``. Code elsewhere reads the typed values from
``registry.settings`` and never parses or looks at the environment itself.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pyramid.settings import aslist

from backrest.rate import Rate


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else aslist(value, flatten=True)


TRUE = frozenset({"true", "yes", "on", "1"})
FALSE = frozenset({"false", "no", "off", "0", ""})


def _as_bool(value: Any) -> bool:
    """A boolean; a typo is an error, not a silent ``false``."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in TRUE | FALSE:
        msg = f"must be true or false, not {value!r}"
        raise ValueError(msg)
    return word in TRUE


def _as_networks(value: Any) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in _as_list(value)]


def _as_choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in choices:
            msg = f"must be one of {', '.join(choices)}, not {value!r}"
            raise ValueError(msg)
        return value

    return parse


def _as_between(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = int(value)
        if not low <= number <= high:
            msg = f"must be between {low} and {high}, not {value!r}"
            raise ValueError(msg)
        return number

    return parse


def _as_at_most(limit: int) -> Callable[[Any], int]:
    return _as_between(1, limit)


def as_rate(value: Any) -> Rate:
    """One rate, ``N/period``: ``60/hour``, ``5/15minutes``."""
    return value if isinstance(value, Rate) else Rate.parse(str(value))


def as_optional_rate(value: Any) -> Rate | None:
    """A rate, or ``None`` for an empty value: no limit."""
    if isinstance(value, str) and not value.strip():
        return None
    return as_rate(value)


CRON_FIELDS = (5, 6)
"""A cron expression's fields: minute hour day month weekday, and optionally seconds."""
CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,-]+$")


def _as_cron(value: Any) -> str:
    """A cron expression, as procrastinate schedules periodic tasks: ``17 * * * *``."""
    fields = str(value).split()
    if len(fields) not in CRON_FIELDS or not all(CRON_FIELD.match(field) for field in fields):
        msg = f"must be a cron expression of 5 fields (or 6, the last one seconds), not {value!r}"
        raise ValueError(msg)
    return " ".join(fields)


REDIS_SCHEMES = ("redis", "rediss", "redis+unix")


def _as_seconds(limit: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        number = float(value)
        if not 0 <= number <= limit:
            msg = f"must be between 0 and {limit} seconds, not {value!r}"
            raise ValueError(msg)
        return number

    return parse


def _is_postgresql(url: str) -> bool:
    """Whether ``url`` is a PostgreSQL URL (``postgresql://``, ``postgresql+psycopg://``)."""
    return urlsplit(url).scheme.partition("+")[0] == "postgresql"


def _as_postgresql_url(value: Any) -> str:
    """Empty, or a PostgreSQL URL."""
    if value and not _is_postgresql(value):
        msg = f"must be a postgresql:// or postgresql+psycopg:// URL, not {value!r}"
        raise ValueError(msg)
    return value


def _as_redis_url(value: Any) -> str:
    if value and urlsplit(value).scheme not in REDIS_SCHEMES:
        msg = f"must be a {', '.join(f'{scheme}://' for scheme in REDIS_SCHEMES)} URL, not {value!r}"
        raise ValueError(msg)
    return value


@dataclass(frozen=True)
class Setting:
    """One setting: its name, parser and default (``None`` means required)."""

    name: str
    parse: Callable[[Any], Any]
    default: Any


SQLITE_CACHE_SIZE = 2000
"""SQLite's own default, in KiB: see ``backrest.db.sqlite_cache_size`` in docs/configuration.rst."""
MIGRATION_LOCK_TIMEOUT = 5
"""Seconds: see ``backrest.db.migration_lock_timeout`` in docs/configuration.rst."""
FRONTEND = "backrest.urls.frontend"
MAX_BODY_SIZE = "backrest.max_body_size"
ENVIRONMENT = "backrest.environment"
JOBS = "backrest.jobs"

SETTINGS: tuple[Setting, ...] = (
    Setting("sqlalchemy.url", str, None),
    Setting("backrest.db.auto_migrate", _as_bool, False),
    # false: no statement is prepared on the server, as a pooler in transaction mode (PgBouncer) needs.
    Setting("backrest.db.prepared_statements", _as_bool, True),
    # KiB of SQLite's page cache, in each connection (see backrest.db).
    Setting("backrest.db.sqlite_cache_size", _as_at_most(1024 * 1024), SQLITE_CACHE_SIZE),
    # A PostgreSQL streaming replica that serves safe reads (docs/decisions/0005-read-replicas.rst);
    # empty: every read on the primary. How long a read waits for it to replay the caller's last
    # write before it reads on the primary, and how long a replica found down is left alone.
    Setting("backrest.db.replica_url", _as_postgresql_url, ""),
    Setting("backrest.db.replica_max_wait", _as_seconds(60), 0.5),
    Setting("backrest.db.replica_retry", _as_seconds(3600), 30),
    # Seconds a migration waits for a lock on PostgreSQL before it gives up (see backrest.migrations).
    Setting("backrest.db.migration_lock_timeout", _as_at_most(3600), MIGRATION_LOCK_TIMEOUT),
    # Pyramid's records of views and routes, for proutes and the debug toolbar.
    Setting("backrest.introspection", _as_bool, False),
    # The reference single-page app (frontend/), served at / from its directory.
    Setting("backrest.frontend.enabled", _as_bool, False),
    Setting("backrest.frontend.directory", str, "frontend"),
    Setting("backrest.version", str, ""),
    Setting("backrest.site_name", str, "backrest"),
    # "production" refuses to start with a missing, short or example secret (SECRETS).
    Setting(ENVIRONMENT, _as_choice("development", "production"), "development"),
    # Request bodies larger than this many bytes are refused (413).
    Setting(MAX_BODY_SIZE, int, 1024 * 1024),
    # Passwords and tokens.
    Setting("backrest.password.min_length", int, 12),
    Setting("backrest.password.max_length", int, 1024),
    Setting("backrest.password.argon2.time_cost", int, 3),
    Setting("backrest.password.argon2.memory_cost", int, 65536),
    Setting("backrest.password.argon2.parallelism", int, 4),
    Setting("backrest.tokens.reset_ttl", int, 3600),
    Setting("backrest.tokens.confirm_ttl", int, 48 * 3600),
    Setting("backrest.tokens.team_invitation_ttl", int, 7 * 24 * 3600),
    Setting("backrest.signup.quiet", _as_bool, True),
    Setting("backrest.reauth.max_age", int, 300),
    # Content lists and writes.
    Setting("backrest.page_size.default", int, 20),
    Setting("backrest.page_size.max", int, 100),
    Setting("backrest.count.max", int, 1000),
    Setting("backrest.page.max_offset", int, 10000),
    Setting("backrest.modified_since.margin", int, 5),
    Setting("backrest.require_if_match", _as_bool, False),
    Setting("backrest.cache.url", str, ""),
    Setting("backrest.cache.ttl", int, 60),
    # Files: where their data lives, how much one may hold, what is served how.
    Setting("backrest.files.root", str, "var/files"),
    Setting("backrest.files.max_size", int, 1024 * 1024 * 1024),
    Setting("backrest.files.quota", int, 0),
    Setting("backrest.files.content_types", _as_list, []),
    Setting("backrest.files.x_accel_redirect", str, ""),
    Setting("backrest.files.gc_grace", int, 3600),
    # The data in an S3-compatible object store (credentials from boto3's
    # environment variables, never from here), sent by the app, by nginx
    # (x_accel_redirect) or by the store itself, the client redirected there.
    Setting("backrest.files.storage", _as_choice("local", "s3"), "local"),
    Setting("backrest.files.serve", _as_choice("app", "redirect"), "app"),
    Setting("backrest.files.s3.endpoint_url", str, ""),
    Setting("backrest.files.s3.bucket", str, ""),
    Setting("backrest.files.s3.prefix", str, ""),
    Setting("backrest.files.s3.region", str, ""),
    Setting("backrest.files.s3.url_expiry", _as_at_most(7 * 24 * 3600), 300),
    # Frontend links put in mails; never derived from the request's Host. The
    # tokens are in the fragment, which browsers never send: no server's log sees them.
    Setting(FRONTEND, str, "http://localhost:3000"),
    Setting("backrest.urls.reset_request", str, "{frontend}/reset"),
    Setting("backrest.urls.reset", str, "{frontend}/reset#token={token}"),
    Setting("backrest.urls.confirm", str, "{frontend}/confirm#token={token}"),
    Setting("backrest.urls.email_confirm", str, "{frontend}/email/confirm#token={token}"),
    Setting("backrest.urls.email_cancel", str, "{frontend}/email/cancel#token={token}"),
    Setting("backrest.urls.change_password", str, "{frontend}/account/password"),
    Setting("backrest.urls.team_invitation", str, "{frontend}/teams/invitation#token={token}"),
    # Sessions.
    Setting("backrest.session.cookie_name", str, "backrest_session"),
    Setting("backrest.session.cookie_domain", str, ""),
    Setting("backrest.session.secure", _as_bool, False),
    Setting("backrest.session.idle_timeout", int, 7 * 24 * 3600),
    Setting("backrest.session.absolute_timeout", int, 30 * 24 * 3600),
    # API keys and other credentials than the session.
    Setting("backrest.keys.pepper", str, ""),
    Setting("backrest.auth.basic_password", _as_bool, False),
    # The OAuth2 provider's tokens, in seconds; codes live at most 10 minutes (RFC 6749 4.1.2).
    Setting("backrest.oauth.access_token_ttl", int, 3600),
    Setting("backrest.oauth.refresh_token_ttl", int, 30 * 24 * 3600),
    Setting("backrest.oauth.code_ttl", _as_at_most(600), 600),
    # Cross-origin requests and proxies.
    Setting("backrest.cors.origins", _as_list, []),
    Setting("backrest.cors.max_age", int, 600),
    Setting("backrest.trusted_proxies", _as_networks, []),
    Setting("backrest.hsts", _as_bool, False),
    # Mail.
    Setting("backrest.mail.sender", str, "backrest <noreply@localhost>"),
    Setting("backrest.mail.transport", _as_choice("file", "smtp"), "file"),
    Setting("backrest.mail.directory", str, "var/mail"),
    Setting("backrest.mail.worker", _as_bool, True),
    Setting("backrest.mail.smtp.host", str, "localhost"),
    Setting("backrest.mail.smtp.port", int, 25),
    Setting("backrest.mail.smtp.username", str, ""),
    Setting("backrest.mail.smtp.password", str, ""),
    Setting("backrest.mail.smtp.tls", _as_bool, False),
    Setting("backrest.mail.smtp.ssl", _as_bool, False),
    Setting("backrest.mail.retry_delay", int, 30),
    Setting("backrest.mail.max_attempts", int, 50),
    # Background work: "thread" delivers mail from a thread of each serving process;
    # "procrastinate" queues jobs in PostgreSQL for `backrest worker` processes (backrest.jobs).
    Setting(JOBS, _as_choice("thread", "procrastinate"), "thread"),
    Setting("backrest.jobs.gc_schedule", _as_cron, "17 * * * *"),
    # Hours a finished job is kept before it is pruned.
    Setting("backrest.jobs.keep_finished", _as_at_most(24 * 365), 7 * 24),
    # Seconds without a heartbeat after which a worker's running jobs are run again elsewhere.
    Setting("backrest.jobs.stalled_timeout", _as_between(3, 3600), 60),
    # Requests per caller, anonymous or authenticated; empty turns a scope off. Each
    # content type may have its own, backrest.throttle.<collection>.anon and .user:
    # their names depend on the declared types (backrest/throttle/rates.py reads them).
    Setting("backrest.throttle.anon", as_optional_rate, "60/hour"),
    Setting("backrest.throttle.user", as_optional_rate, "2000/hour"),
    # Brute-force protection.
    Setting("backrest.throttle.login", as_rate, "30/minute"),
    Setting("backrest.throttle.login_failures", as_rate, "5/15minutes"),
    Setting("backrest.throttle.login_account", as_rate, "30/hour"),
    Setting("backrest.throttle.login_device", as_rate, "5/15minutes"),
    # Signs device cookies (backrest/throttle/devices.py); empty: a random one per process.
    Setting("backrest.throttle.device_secret", str, ""),
    Setting("backrest.throttle.signup", as_rate, "10/hour"),
    Setting("backrest.throttle.signup_account", as_rate, "3/hour"),
    Setting("backrest.throttle.reset", as_rate, "10/hour"),
    Setting("backrest.throttle.reset_account", as_rate, "3/hour"),
    Setting("backrest.throttle.resend", as_rate, "10/hour"),
    Setting("backrest.throttle.resend_account", as_rate, "3/hour"),
    # The OAuth2 token endpoint, per client address and per client application:
    # an application's server exchanges codes and refreshes for all its users.
    Setting("backrest.throttle.oauth_token", as_rate, "60/minute"),
    Setting("backrest.throttle.oauth_client", as_rate, "600/minute"),
    # Invitations to teams, per manager: each one mails an address the manager chose.
    Setting("backrest.throttle.team_invitations", as_rate, "30/hour"),
    # Where rate counters live: empty for this process's memory, or a Redis
    # that every process serving the site shares.
    Setting("backrest.redis_url", _as_redis_url, ""),
    # Prometheus metrics at /-/metrics, for the client addresses or networks allowed to scrape them.
    Setting("backrest.metrics.enabled", _as_bool, False),
    Setting("backrest.metrics.allowed", _as_networks, "127.0.0.1 ::1"),
)


def environment_name(name: str) -> str:
    """The environment variable that overrides a setting."""
    return "BACKREST_" + name.removeprefix("backrest.").replace(".", "_").upper()


def setting_value(raw: Mapping[str, Any], name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The unparsed value of a setting, from the environment or else ``raw``; ``None`` if neither has it."""
    environ = os.environ if environ is None else environ
    return environ.get(environment_name(name), raw.get(name))


def parse_setting(name: str, parse: Callable[[Any], Any], value: Any) -> Any:
    """``parse(value)``; a value that does not parse is an error naming the setting."""
    try:
        return parse(value)
    except ValueError as error:
        msg = f"setting {name}: {error}"
        raise ValueError(msg) from error


def resolve(raw: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return ``raw`` with every known setting parsed, defaulted or overridden."""
    resolved = dict(raw)
    for setting in SETTINGS:
        value = setting_value(raw, setting.name, environ)
        if value is None:
            if setting.default is None:
                msg = f"setting {setting.name} (or {environment_name(setting.name)}) is required"
                raise ValueError(msg)
            value = setting.default
        resolved[setting.name] = parse_setting(setting.name, setting.parse, value)
    _expand_frontend_urls(resolved)
    _refuse_process_caches(resolved)
    _check_file_storage(resolved)
    _check_jobs(resolved)
    _check_replica(resolved)
    _refuse_weak_secrets(resolved)
    return resolved


def _expand_frontend_urls(resolved: dict[str, Any]) -> None:
    frontend = resolved[FRONTEND].rstrip("/")
    for setting in SETTINGS:
        if setting.name.startswith("backrest.urls.") and setting.name != FRONTEND:
            resolved[setting.name] = resolved[setting.name].replace("{frontend}", frontend)


@dataclass(frozen=True)
class Secret:
    """A setting that holds a secret, which production refuses to run without.

    ``needed_when`` names a setting that, when empty, makes the secret unused
    (an SMTP password without an SMTP login).
    """

    name: str
    min_length: int
    needed_when: str = ""


SECRET_MIN_LENGTH = 32
# Every setting that holds a secret, so that production checks it; the
# deployment checklist (docs/deployment.rst) names the same.
SECRETS: tuple[Secret, ...] = (
    Secret("backrest.keys.pepper", SECRET_MIN_LENGTH),
    Secret("backrest.throttle.device_secret", SECRET_MIN_LENGTH),
    # Issued by the mail provider, not generated for backrest: its length is
    # theirs (some issue 16 characters), and only a placeholder is refused.
    Secret("backrest.mail.smtp.password", 1, needed_when="backrest.mail.smtp.username"),
)
PLACEHOLDER_SECRETS = frozenset({"...", "changeme", "change-me", "password", "secret"})
"""The values of examples (in the docs, in ini comments) and of development configurations.

A secret given a value in ``development.ini`` must be refused here too:
``tests/unit/test_settings.py`` checks that file's values.
"""


def _secret_problem(secret: Secret, value: str) -> str | None:
    if not value:
        return "is required"
    if value.strip().lower() in PLACEHOLDER_SECRETS:
        return "may not be a placeholder or development value"
    if len(value) < secret.min_length:
        return f"must have at least {secret.min_length} characters (not {len(value)})"
    return None


def _refuse_process_caches(resolved: Mapping[str, Any]) -> None:
    """Pages kept in one process's memory go stale when several processes serve the site.

    A shared Redis for the rate limits (``backrest.redis_url``) says that
    several do: a write through one process would not reach the pages the
    others keep, and they would answer them until their time is up.
    """
    if resolved["backrest.redis_url"] and resolved["backrest.cache.url"].startswith("memory:"):
        msg = (
            "setting backrest.cache.url = memory:// keeps pages in each process, and backrest.redis_url "
            "says several processes serve this site: a write through one would leave the others' pages "
            "stale. Use redis://, or no cache"
        )
        raise ValueError(msg)


def _check_file_storage(resolved: Mapping[str, Any]) -> None:
    """An object store needs its bucket; only an object store can send the data itself."""
    if resolved["backrest.files.storage"] == "s3":
        if not resolved["backrest.files.s3.bucket"]:
            msg = "setting backrest.files.s3.bucket is required when backrest.files.storage = s3"
            raise ValueError(msg)
        return
    if resolved["backrest.files.serve"] == "redirect":
        msg = "setting backrest.files.serve = redirect needs backrest.files.storage = s3"
        raise ValueError(msg)


def _check_jobs(resolved: Mapping[str, Any]) -> None:
    """Procrastinate keeps its jobs in PostgreSQL, beside the rows that queue them."""
    if resolved[JOBS] == "procrastinate" and not _is_postgresql(resolved["sqlalchemy.url"]):
        msg = (
            "setting backrest.jobs = procrastinate keeps its jobs in PostgreSQL: sqlalchemy.url must be "
            "a postgresql:// URL, or backrest.jobs = thread"
        )
        raise ValueError(msg)
    if resolved[JOBS] == "procrastinate":
        # procrastinate's own parser of schedules: only there when the jobs extra is installed.
        from croniter import croniter  # noqa: PLC0415

        schedule = resolved["backrest.jobs.gc_schedule"]
        if not croniter.is_valid(schedule):
            msg = f"setting backrest.jobs.gc_schedule: {schedule!r} is no schedule cron understands"
            raise ValueError(msg)


def _check_replica(resolved: Mapping[str, Any]) -> None:
    """A replica replays its primary: both are PostgreSQL."""
    if resolved["backrest.db.replica_url"] and not _is_postgresql(resolved["sqlalchemy.url"]):
        msg = "setting backrest.db.replica_url needs a PostgreSQL primary (sqlalchemy.url)"
        raise ValueError(msg)


def _refuse_weak_secrets(resolved: Mapping[str, Any]) -> None:
    """A production deployment never runs with a development or example secret: it stops at the start."""
    if resolved[ENVIRONMENT] != "production":
        return
    for secret in SECRETS:
        if secret.needed_when and not resolved[secret.needed_when]:
            continue
        problem = _secret_problem(secret, resolved[secret.name])
        if problem:
            msg = (
                f"setting {secret.name} (or {environment_name(secret.name)}) {problem} "
                f"when {ENVIRONMENT} = production"
            )
            raise ValueError(msg)
