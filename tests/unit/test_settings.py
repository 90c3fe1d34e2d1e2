import configparser
import ipaddress
import re
from pathlib import Path

import pytest

from backrest.rate import Rate
from backrest.settings import (
    SECRETS,
    SETTINGS,
    environment_name,
    parse_setting,
    resolve,
    setting_value,
)
from tests.conftest import make_settings

URL = "sqlite://"
ROOT = Path(__file__).resolve().parents[2]


def test_defaults_fill_every_setting():
    resolved = resolve({"sqlalchemy.url": URL}, environ={})
    assert {setting.name for setting in SETTINGS} <= resolved.keys()
    assert resolved["backrest.password.min_length"] == 12
    assert resolved["backrest.password.max_length"] == 1024
    assert resolved["backrest.signup.quiet"] is True
    assert resolved["backrest.tokens.reset_ttl"] == 3600
    assert resolved["backrest.tokens.confirm_ttl"] == 48 * 3600
    assert resolved["backrest.reauth.max_age"] == 300
    assert resolved["backrest.mail.transport"] == "file"
    assert resolved["backrest.cors.origins"] == []
    assert resolved["backrest.trusted_proxies"] == []


def test_values_are_parsed_to_their_types():
    resolved = resolve(
        {
            "sqlalchemy.url": URL,
            "backrest.password.min_length": "16",
            "backrest.signup.quiet": "false",
            "backrest.cors.origins": "https://a.example\n  https://b.example",
            "backrest.trusted_proxies": "10.0.0.0/8 192.0.2.7 2001:db8::/32",
        },
        environ={},
    )
    assert resolved["backrest.password.min_length"] == 16
    assert resolved["backrest.signup.quiet"] is False
    assert resolved["backrest.cors.origins"] == ["https://a.example", "https://b.example"]
    assert resolved["backrest.trusted_proxies"] == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("2001:db8::/32"),
    ]


def test_trusted_proxy_with_host_bits_is_its_network():
    resolved = resolve({"sqlalchemy.url": URL, "backrest.trusted_proxies": "10.1.2.3/8"}, environ={})
    assert resolved["backrest.trusted_proxies"] == [ipaddress.ip_network("10.0.0.0/8")]


def test_already_typed_values_are_accepted():
    """``main()`` may be called from Python with real values instead of ini strings."""
    resolved = resolve(
        {"sqlalchemy.url": URL, "backrest.password.min_length": 14, "backrest.hsts": True},
        environ={},
    )
    assert resolved["backrest.password.min_length"] == 14
    assert resolved["backrest.hsts"] is True


def test_unknown_settings_are_kept():
    resolved = resolve({"sqlalchemy.url": URL, "pyramid.reload_templates": "true"}, environ={})
    assert resolved["pyramid.reload_templates"] == "true"


def test_raw_settings_are_not_changed():
    raw = {"sqlalchemy.url": URL, "backrest.password.min_length": "16"}
    resolve(raw, environ={})
    assert raw == {"sqlalchemy.url": URL, "backrest.password.min_length": "16"}


def test_environment_name():
    assert environment_name("backrest.mail.smtp.password") == "BACKREST_MAIL_SMTP_PASSWORD"
    assert environment_name("sqlalchemy.url") == "BACKREST_SQLALCHEMY_URL"


def test_environment_overrides_the_file():
    resolved = resolve(
        {"sqlalchemy.url": URL, "backrest.mail.smtp.password": "from-file"},
        environ={
            "BACKREST_MAIL_SMTP_PASSWORD": "from-env",
            "BACKREST_SQLALCHEMY_URL": "postgresql://db/app",
            "BACKREST_MAIL_SMTP_PORT": "2525",
        },
    )
    assert resolved["backrest.mail.smtp.password"] == "from-env"
    assert resolved["sqlalchemy.url"] == "postgresql://db/app"
    assert resolved["backrest.mail.smtp.port"] == 2525


def test_environment_can_supply_a_required_setting():
    resolved = resolve({}, environ={"BACKREST_SQLALCHEMY_URL": URL})
    assert resolved["sqlalchemy.url"] == URL


def test_missing_required_setting_names_it_and_its_variable():
    with pytest.raises(ValueError, match=r"sqlalchemy\.url \(or BACKREST_SQLALCHEMY_URL\) is required"):
        resolve({}, environ={})


def test_invalid_choice_is_refused():
    with pytest.raises(ValueError, match=r"backrest\.mail\.transport: must be one of file, smtp"):
        resolve({"sqlalchemy.url": URL, "backrest.mail.transport": "pigeon"}, environ={})


def test_invalid_choice_from_the_environment_is_refused():
    with pytest.raises(ValueError, match=r"backrest\.mail\.transport"):
        resolve({"sqlalchemy.url": URL}, environ={"BACKREST_MAIL_TRANSPORT": "pigeon"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("backrest.password.min_length", "twelve"),
        ("backrest.trusted_proxies", "10.0.0.0/33"),
        ("backrest.trusted_proxies", "proxy.example"),
        ("backrest.hsts", "ture"),
        ("backrest.session.secure", "maybe"),
    ],
)
def test_unparsable_value_names_the_setting(name, value):
    with pytest.raises(ValueError, match=name.replace(".", r"\.")):
        resolve({"sqlalchemy.url": URL, name: value}, environ={})


def test_frontend_urls_are_expanded():
    resolved = resolve({"sqlalchemy.url": URL, "backrest.urls.frontend": "https://app.example/"}, environ={})
    assert resolved["backrest.urls.frontend"] == "https://app.example/"
    assert resolved["backrest.urls.reset"] == "https://app.example/reset#token={token}"
    assert resolved["backrest.urls.confirm"] == "https://app.example/confirm#token={token}"
    assert resolved["backrest.urls.change_password"] == "https://app.example/account/password"


def test_explicit_url_template_is_kept():
    resolved = resolve(
        {"sqlalchemy.url": URL, "backrest.urls.reset": "https://other.example/r?t={token}"}, environ={}
    )
    assert resolved["backrest.urls.reset"] == "https://other.example/r?t={token}"


def test_every_setting_has_its_own_environment_variable():
    variables = [environment_name(setting.name) for setting in SETTINGS]
    assert len(set(variables)) == len(variables)
    assert all(variable.startswith("BACKREST_") and "." not in variable for variable in variables)


# Rates and Redis


def test_rates_are_parsed():
    resolved = resolve({"sqlalchemy.url": URL, "backrest.throttle.user": "100/minute"}, environ={})
    assert resolved["backrest.throttle.user"] == Rate.parse("100/minute")
    assert resolved["backrest.throttle.anon"] == Rate.parse("60/hour")
    assert resolved["backrest.throttle.login_failures"] == Rate.parse("5/15minutes")


def test_an_empty_request_rate_is_no_limit():
    resolved = resolve({"sqlalchemy.url": URL, "backrest.throttle.anon": " "}, environ={})
    assert resolved["backrest.throttle.anon"] is None


@pytest.mark.parametrize("rate", ["lots", "60/fortnight", "1/second;100/day", "60"])
def test_a_bad_rate_names_its_setting(rate):
    with pytest.raises(ValueError, match=r"^setting backrest\.throttle\.user: must be one rate like 60/hour"):
        resolve({"sqlalchemy.url": URL, "backrest.throttle.user": rate}, environ={})


def test_a_brute_force_rate_cannot_be_empty():
    with pytest.raises(ValueError, match=r"^setting backrest\.throttle\.login: must be one rate"):
        resolve({"sqlalchemy.url": URL, "backrest.throttle.login": ""}, environ={})


def test_a_parsed_rate_is_accepted():
    rate = Rate.parse("7/day")
    assert (
        resolve({"sqlalchemy.url": URL, "backrest.throttle.anon": rate}, environ={})["backrest.throttle.anon"]
        is rate
    )


@pytest.mark.parametrize(
    "url", ["", "redis://127.0.0.1:6379/1", "rediss://r.example:6380/0", "redis+unix:///run/r.sock"]
)
def test_redis_urls_are_accepted(url):
    assert (
        resolve({"sqlalchemy.url": URL, "backrest.redis_url": url}, environ={})["backrest.redis_url"] == url
    )


def test_a_redis_url_of_another_scheme_names_its_setting():
    with pytest.raises(ValueError, match=r"^setting backrest\.redis_url: must be a redis://, rediss://"):
        resolve({"sqlalchemy.url": URL, "backrest.redis_url": "memcached://127.0.0.1:11211"}, environ={})


def test_setting_value_prefers_the_environment():
    raw = {"backrest.throttle.documents.user": "1/minute"}
    environ = {"BACKREST_THROTTLE_DOCUMENTS_USER": "2/minute"}
    assert setting_value(raw, "backrest.throttle.documents.user", environ) == "2/minute"
    assert setting_value(raw, "backrest.throttle.documents.user", {}) == "1/minute"
    assert setting_value(raw, "backrest.throttle.files.user", {}) is None


def test_parse_setting_names_the_setting():
    with pytest.raises(ValueError, match=r"^setting backrest\.x: invalid literal"):
        parse_setting("backrest.x", int, "many")


# Secrets in production

PRODUCTION = {"sqlalchemy.url": URL, "backrest.environment": "production"}
PEPPER = "x" * 32
ALWAYS_NEEDED = {secret.name: PEPPER for secret in SECRETS if not secret.needed_when}
"""Every secret production needs whatever the other settings say, given."""


def test_development_runs_without_secrets():
    resolved = resolve({"sqlalchemy.url": URL}, environ={})
    assert resolved["backrest.environment"] == "development"
    assert resolved["backrest.keys.pepper"] == ""


def test_an_unknown_environment_is_refused():
    with pytest.raises(
        ValueError, match=r"^setting backrest\.environment: must be one of development, production"
    ):
        resolve({"sqlalchemy.url": URL, "backrest.environment": "prod"}, environ={})


def test_production_refuses_to_run_without_a_pepper():
    with pytest.raises(
        ValueError,
        match=r"^setting backrest\.keys\.pepper \(or BACKREST_KEYS_PEPPER\) is required "
        r"when backrest\.environment = production$",
    ):
        resolve(PRODUCTION, environ={})


def test_production_may_be_declared_in_the_environment():
    with pytest.raises(ValueError, match=r"backrest\.keys\.pepper"):
        resolve({"sqlalchemy.url": URL}, environ={"BACKREST_ENVIRONMENT": "production"})


def test_production_runs_with_its_secrets_from_the_environment():
    environ = {environment_name(name): value for name, value in ALWAYS_NEEDED.items()}
    resolved = resolve(PRODUCTION, environ=environ)
    assert resolved["backrest.keys.pepper"] == PEPPER
    assert resolved["backrest.throttle.device_secret"] == PEPPER


@pytest.mark.parametrize("name", ALWAYS_NEEDED)
def test_production_refuses_to_run_without_any_one_secret(name):
    others = {other: value for other, value in ALWAYS_NEEDED.items() if other != name}
    with pytest.raises(
        ValueError, match=rf"^setting {re.escape(name)} \(or {environment_name(name)}\) is required"
    ):
        resolve({**PRODUCTION, **others}, environ={})


def test_a_pepper_shorter_than_32_characters_is_refused():
    with pytest.raises(ValueError, match=r"pepper .* must have at least 32 characters \(not 31\)"):
        resolve({**PRODUCTION, **ALWAYS_NEEDED, "backrest.keys.pepper": "x" * 31}, environ={})


@pytest.mark.parametrize("placeholder", ["...", "changeme", "Change-Me", " secret "])
def test_a_placeholder_is_refused(placeholder):
    with pytest.raises(ValueError, match=r"pepper .* may not be a placeholder or development value"):
        resolve({**PRODUCTION, **ALWAYS_NEEDED, "backrest.keys.pepper": placeholder}, environ={})


def test_the_smtp_password_is_needed_only_with_an_smtp_login():
    resolve({**PRODUCTION, **ALWAYS_NEEDED}, environ={})
    with pytest.raises(
        ValueError,
        match=r"^setting backrest\.mail\.smtp\.password \(or BACKREST_MAIL_SMTP_PASSWORD\) is required",
    ):
        resolve({**PRODUCTION, **ALWAYS_NEEDED, "backrest.mail.smtp.username": "app"}, environ={})


def test_the_smtp_password_is_the_providers_and_may_be_short_but_no_placeholder():
    login = {**PRODUCTION, **ALWAYS_NEEDED, "backrest.mail.smtp.username": "app"}
    assert resolve(login, environ={"BACKREST_MAIL_SMTP_PASSWORD": "abcdefghijklmnop"})
    with pytest.raises(ValueError, match=r"smtp\.password .* may not be a placeholder"):
        resolve(login, environ={"BACKREST_MAIL_SMTP_PASSWORD": "..."})


def development_ini() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "development.ini")
    return dict(parser["app:main"])


@pytest.mark.parametrize(
    "development",
    [development_ini(), make_settings(URL, Path("mail"))],
    ids=["development.ini", "tests"],
)
@pytest.mark.parametrize("secret", SECRETS, ids=lambda secret: secret.name)
def test_the_secrets_of_development_configurations_are_refused_in_production(development, secret):
    others = {
        other.name: PEPPER for other in SECRETS if other is not secret and other.name not in development
    }
    needed = {secret.needed_when: "app"} if secret.needed_when else {}
    with pytest.raises(ValueError, match=rf"^setting {re.escape(secret.name)} "):
        resolve({**development, **others, **needed, "backrest.environment": "production"}, environ={})


@pytest.mark.parametrize("secret", SECRETS, ids=lambda secret: secret.name)
def test_the_deployment_docs_list_every_secret_with_its_variable(secret):
    deployment = (ROOT / "docs" / "deployment.rst").read_text()
    assert f"``{environment_name(secret.name)}`` (``{secret.name}``)" in deployment


@pytest.mark.parametrize("size", ["0", "-500", "lots", str(1024 * 1024 + 1)])
def test_the_sqlite_page_cache_is_a_positive_number_of_kib(size):
    with pytest.raises(ValueError, match=r"^setting backrest\.db\.sqlite_cache_size: "):
        resolve({"sqlalchemy.url": URL, "backrest.db.sqlite_cache_size": size}, environ={})
    assert (
        resolve({"sqlalchemy.url": URL, "backrest.db.sqlite_cache_size": "500"}, environ={})[
            "backrest.db.sqlite_cache_size"
        ]
        == 500
    )


def test_a_cache_in_each_process_is_refused_where_several_processes_serve():
    several = {"sqlalchemy.url": URL, "backrest.redis_url": "redis://127.0.0.1:6379/1"}
    with pytest.raises(ValueError, match=r"backrest\.cache\.url = memory:// keeps pages in each process"):
        resolve({**several, "backrest.cache.url": "memory://"}, environ={})
    shared = resolve({**several, "backrest.cache.url": "redis://127.0.0.1:6379/2"}, environ={})
    assert shared["backrest.cache.url"] == "redis://127.0.0.1:6379/2"
    alone = resolve({"sqlalchemy.url": URL, "backrest.cache.url": "memory://"}, environ={})
    assert alone["backrest.cache.url"] == "memory://"


def test_an_object_store_needs_its_bucket():
    with pytest.raises(ValueError, match=r"backrest\.files\.s3\.bucket is required"):
        resolve({"sqlalchemy.url": URL, "backrest.files.storage": "s3"}, environ={})
    settings = resolve(
        {"sqlalchemy.url": URL, "backrest.files.storage": "s3", "backrest.files.s3.bucket": "data"},
        environ={},
    )
    assert (settings["backrest.files.s3.bucket"], settings["backrest.files.s3.url_expiry"]) == ("data", 300)


def test_only_an_object_store_sends_the_data_by_redirect():
    with pytest.raises(
        ValueError, match=r"backrest\.files\.serve = redirect needs backrest\.files\.storage = s3"
    ):
        resolve({"sqlalchemy.url": URL, "backrest.files.serve": "redirect"}, environ={})
    with pytest.raises(ValueError, match=r"setting backrest\.files\.storage: must be one of local, s3"):
        resolve({"sqlalchemy.url": URL, "backrest.files.storage": "minio"}, environ={})


PG = "postgresql+psycopg://backrest@127.0.0.1/backrest"


def test_background_work_defaults_to_the_mail_thread():
    resolved = resolve({"sqlalchemy.url": URL}, environ={})
    assert resolved["backrest.jobs"] == "thread"
    assert resolved["backrest.jobs.gc_schedule"] == "17 * * * *"
    assert resolved["backrest.jobs.keep_finished"] == 7 * 24
    assert resolved["backrest.jobs.stalled_timeout"] == 60


def test_procrastinate_settings_are_parsed():
    resolved = resolve(
        {
            "sqlalchemy.url": PG,
            "backrest.jobs": "procrastinate",
            "backrest.jobs.gc_schedule": " */5  * * * * ",
            "backrest.jobs.keep_finished": "48",
            "backrest.jobs.stalled_timeout": "10",
        },
        environ={},
    )
    assert resolved["backrest.jobs"] == "procrastinate"
    assert resolved["backrest.jobs.gc_schedule"] == "*/5 * * * *"
    assert (resolved["backrest.jobs.keep_finished"], resolved["backrest.jobs.stalled_timeout"]) == (48, 10)


def test_procrastinate_needs_postgresql():
    with pytest.raises(ValueError, match=r"backrest\.jobs = procrastinate keeps its jobs in PostgreSQL"):
        resolve({"sqlalchemy.url": URL, "backrest.jobs": "procrastinate"}, environ={})


def test_an_unknown_kind_of_background_work_is_refused():
    with pytest.raises(ValueError, match=r"setting backrest\.jobs: must be one of thread, procrastinate"):
        resolve({"sqlalchemy.url": PG, "backrest.jobs": "celery"}, environ={})


@pytest.mark.parametrize("schedule", ["hourly", "* * * *", "* * * * * * *", "0; rm * * * *"])
def test_a_gc_schedule_that_is_no_cron_expression_names_its_setting(schedule):
    with pytest.raises(ValueError, match=r"setting backrest\.jobs\.gc_schedule: must be a cron expression"):
        resolve({"sqlalchemy.url": PG, "backrest.jobs.gc_schedule": schedule}, environ={})


def test_a_gc_schedule_out_of_range_is_refused_where_procrastinate_runs_it():
    settings = {
        "sqlalchemy.url": PG,
        "backrest.jobs": "procrastinate",
        "backrest.jobs.gc_schedule": "99 * * * *",
    }
    with pytest.raises(ValueError, match=r"backrest\.jobs\.gc_schedule: '99 \* \* \* \*' is no schedule"):
        resolve(settings, environ={})


@pytest.mark.parametrize(("name", "value"), [("keep_finished", "0"), ("stalled_timeout", "1")])
def test_job_durations_out_of_range_are_refused(name, value):
    with pytest.raises(ValueError, match=rf"setting backrest\.jobs\.{name}: must be between"):
        resolve({"sqlalchemy.url": PG, f"backrest.jobs.{name}": value}, environ={})


PRIMARY = "postgresql+psycopg://backrest@db.example/backrest"


def test_no_replica_by_default():
    resolved = resolve({"sqlalchemy.url": URL}, environ={})
    assert resolved["backrest.db.replica_url"] == ""
    assert resolved["backrest.db.replica_max_wait"] == 0.5
    assert resolved["backrest.db.replica_retry"] == 30


def test_a_replica_of_a_postgresql_primary_is_accepted():
    resolved = resolve(
        {
            "sqlalchemy.url": PRIMARY,
            "backrest.db.replica_url": "postgresql+psycopg://backrest@replica.example/backrest",
            "backrest.db.replica_max_wait": "0.25",
            "backrest.db.replica_retry": "5",
        },
        environ={},
    )
    assert resolved["backrest.db.replica_url"] == "postgresql+psycopg://backrest@replica.example/backrest"
    assert resolved["backrest.db.replica_max_wait"] == 0.25
    assert resolved["backrest.db.replica_retry"] == 5


@pytest.mark.parametrize(
    "replica", ["sqlite:///replica.sqlite", "mysql://replica.example/backrest", "replica"]
)
def test_a_replica_must_be_postgresql(replica):
    with pytest.raises(ValueError, match=r"backrest\.db\.replica_url: must be a postgresql"):
        resolve({"sqlalchemy.url": PRIMARY, "backrest.db.replica_url": replica}, environ={})


def test_a_replica_needs_a_postgresql_primary():
    with pytest.raises(ValueError, match="needs a PostgreSQL primary"):
        resolve(
            {"sqlalchemy.url": "sqlite:///primary.sqlite", "backrest.db.replica_url": PRIMARY}, environ={}
        )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("backrest.db.replica_max_wait", "-1"),
        ("backrest.db.replica_max_wait", "61"),
        ("backrest.db.replica_max_wait", "soon"),
        ("backrest.db.replica_retry", "-0.5"),
    ],
)
def test_replica_delays_are_bounded(name, value):
    with pytest.raises(ValueError, match=name.replace(".", r"\.")):
        resolve({"sqlalchemy.url": PRIMARY, name: value}, environ={})
