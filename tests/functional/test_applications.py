"""/-/applications: the OAuth clients admins register, a content type with a secret shown once."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, update

from backrest.accounts.models import User
from backrest.audit.models import AuditEntry
from backrest.keys.credentials import secret_hash
from backrest.oauth.models import Application
from backrest.teams.models import TeamGrant, TeamMember
from tests.client import Browser
from tests.conftest import PASSWORD, error_fields

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

ADMIN_CLIENT = {"REMOTE_ADDR": "203.0.113.30", "HTTP_USER_AGENT": "admin"}
ID = re.compile(r"[A-Za-z0-9_-]{22}")
SECRET = re.compile(r"[A-Za-z0-9_-]{43}")
WEB = "https://app.example.com/oauth/callback"
NATIVE = "com.example.notes:/oauth/callback"
LOOPBACK = "http://127.0.0.1/oauth/callback"


def log_in_as_admin(app: Any, signup: Callable[..., str], dbsession: Session, email: str) -> Browser:
    signup(email)
    dbsession.execute(update(User).where(User.email == email).values(is_admin=True))
    dbsession.commit()
    browser = Browser(app, extra_environ=dict(ADMIN_CLIENT))
    browser.login(email, PASSWORD, status=200)
    return browser


@pytest.fixture
def admin(app, signup, dbsession) -> Browser:
    return log_in_as_admin(app, signup, dbsession, "root@example.com")


@pytest.fixture
def member(other_browser, signup) -> Browser:
    other_browser.login(signup("bob@example.com"), PASSWORD, status=200)
    return other_browser


def make(admin: Browser, **body: Any) -> dict[str, Any]:
    """Register a web application (unless ``body`` says otherwise); answers the 201's body."""
    return admin.post_json(
        "/-/applications/", {"name": "Notes", "redirect_uris": [WEB], **body}, status=201
    ).json


def url_of(application: dict[str, Any]) -> str:
    return application["__meta__"]["url"].removeprefix("http://localhost")


def stored(dbsession: Session, application: dict[str, Any]) -> Application:
    dbsession.expire_all()
    return dbsession.get(Application, application["client_id"])


# Registering an application.


def test_a_confidential_application_shows_its_secret_once(admin):
    response = admin.post_json("/-/applications/", {"name": "Notes", "redirect_uris": [WEB]}, status=201)
    made = response.json
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Location"] == made["__meta__"]["url"]
    assert response.headers["ETag"]
    assert SECRET.fullmatch(made["client_secret"])
    shown = admin.get(url_of(made)).json
    assert shown == {name: value for name, value in made.items() if name != "client_secret"}


def test_the_client_id_is_the_public_id(admin):
    made = make(admin)
    assert ID.fullmatch(made["client_id"])
    assert made["client_id"] == made["__meta__"]["id"]
    assert make(admin)["client_id"] != made["client_id"]


def test_defaults(admin):
    made = make(admin)
    assert made["description"] == ""
    assert made["client_type"] == "confidential"
    assert made["grant_types"] == ["authorization_code", "refresh_token"]
    assert made["scopes"] == ["read", "write"]


def test_only_a_keyed_hash_of_the_secret_is_stored(admin, dbsession, registry):
    made = make(admin)
    row = stored(dbsession, made)
    pepper = registry.settings["backrest.keys.pepper"]
    assert row.secret_hash == secret_hash(made["client_id"], made["client_secret"], pepper)
    columns = [getattr(row, column.key) for column in row.__table__.c]
    assert made["client_secret"] not in json.dumps(columns, default=str)


def test_the_secret_is_in_no_list_read_or_audit_entry(admin):
    made = make(admin)
    secret = made["client_secret"]
    admin.patch_json(url_of(made), {"description": "Our notes"}, status=200)
    assert secret not in admin.get("/-/applications/").text
    assert secret not in admin.get(url_of(made)).text
    assert secret not in admin.get("/-/logs/").text


def test_a_public_application_has_no_secret(admin, dbsession):
    made = make(admin, client_type="public", redirect_uris=[NATIVE])
    assert "client_secret" not in made
    assert stored(dbsession, made).secret_hash is None


def test_the_password_grant_is_off_unless_asked_for(admin):
    assert "password" not in make(admin)["grant_types"]
    asked = make(admin, grant_types=["password", "refresh_token"], redirect_uris=[])
    assert asked["grant_types"] == ["refresh_token", "password"]


def test_grant_types_and_scopes_are_sets_in_a_fixed_order(admin):
    made = make(admin, grant_types=["refresh_token", "authorization_code", "refresh_token"], scopes=["write"])
    assert made["grant_types"] == ["authorization_code", "refresh_token"]
    assert made["scopes"] == ["write"]


def test_a_form_registers_an_application_too(admin):
    fields = [("name", "Form"), ("redirect_uris", WEB), ("redirect_uris", LOOPBACK), ("scopes.0", "read")]
    made = admin.post("/-/applications/", fields, status=201).json
    assert made["redirect_uris"] == [WEB, LOOPBACK]
    assert made["scopes"] == ["read"]


# What each field takes.


def test_the_name_is_required(admin):
    response = admin.post_json("/-/applications/", {"redirect_uris": [WEB]}, status=400)
    assert error_fields(response) == [("body", "name")]


@pytest.mark.parametrize(
    "uri",
    [
        "/oauth/callback",
        "https://app.example.com/oauth/callback#token",
        "https://ada:secret@app.example.com/oauth/callback",
        "https://*.example.com/oauth/callback",
        "http://app.example.com/oauth/callback",
        "javascript:alert(1)",
        "https://app.example.com\\@evil.example/",
        "myapp:/callback",
    ],
)
def test_a_bad_redirect_uri_is_refused_by_its_position(admin, uri):
    response = admin.post_json("/-/applications/", {"name": "Notes", "redirect_uris": [WEB, uri]}, status=400)
    assert error_fields(response) == [("body", "redirect_uris.1")]


def test_every_bad_redirect_uri_is_reported(admin):
    uris = ["http://app.example.com/", WEB, "https://app.example.com/#x"]
    response = admin.post_json("/-/applications/", {"name": "Notes", "redirect_uris": uris}, status=400)
    assert error_fields(response) == [("body", "redirect_uris.0"), ("body", "redirect_uris.2")]


def test_a_repeated_redirect_uri_is_refused_where_it_repeats(admin):
    uris = [WEB, LOOPBACK, WEB]
    response = admin.post_json("/-/applications/", {"name": "Notes", "redirect_uris": uris}, status=400)
    assert error_fields(response) == [("body", "redirect_uris.2")]


@pytest.mark.parametrize("uri", [LOOPBACK, "http://[::1]:8080/callback", "http://localhost/callback"])
def test_http_is_taken_on_loopback_addresses(admin, uri):
    assert make(admin, redirect_uris=[uri])["redirect_uris"] == [uri]


def test_a_native_app_registers_a_private_use_scheme(admin):
    made = make(admin, client_type="public", redirect_uris=[NATIVE, LOOPBACK])
    assert made["redirect_uris"] == [NATIVE, LOOPBACK]


def test_a_confidential_client_may_not_use_a_private_use_scheme(admin):
    body = {"name": "Notes", "redirect_uris": [WEB, NATIVE]}
    response = admin.post_json("/-/applications/", body, status=400)
    assert error_fields(response) == [("body", "redirect_uris.1")]


def test_a_public_client_may_not_use_the_password_grant(admin):
    body = {"name": "SPA", "client_type": "public", "redirect_uris": [WEB], "grant_types": ["password"]}
    response = admin.post_json("/-/applications/", body, status=400)
    assert error_fields(response) == [("body", "grant_types")]


def test_the_authorization_code_grant_needs_a_redirect_uri(admin):
    response = admin.post_json("/-/applications/", {"name": "Notes"}, status=400)
    assert error_fields(response) == [("body", "redirect_uris")]


def test_a_refresh_token_alone_is_no_grant(admin):
    body = {"name": "Notes", "redirect_uris": [WEB], "grant_types": ["refresh_token"]}
    response = admin.post_json("/-/applications/", body, status=400)
    assert error_fields(response) == [("body", "grant_types")]


def test_unknown_choices_are_refused(admin):
    body = {
        "name": "Notes",
        "redirect_uris": [WEB],
        "client_type": "trusted",
        "grant_types": ["authorization_code", "client_credentials"],
        "scopes": ["admin"],
    }
    response = admin.post_json("/-/applications/", body, status=400)
    assert error_fields(response) == [
        ("body", "client_type"),
        ("body", "grant_types.1"),
        ("body", "scopes.0"),
    ]


def test_a_refused_application_leaves_nothing_behind(admin, dbsession):
    admin.post_json("/-/applications/", {"name": "Notes", "redirect_uris": [WEB, NATIVE]}, status=400)
    assert dbsession.scalars(select(Application)).all() == []


# Changing an application.


def test_a_representation_put_back_changes_nothing(admin):
    made = make(admin)
    shown = admin.get(url_of(made))
    response = admin.put_json(url_of(made), shown.json, status=200)
    assert response.json == shown.json
    assert response.headers["ETag"] == shown.headers["ETag"]


def test_an_update_changes_the_keys_given(admin):
    made = make(admin, redirect_uris=[WEB, LOOPBACK])
    changed = admin.patch_json(url_of(made), {"name": "Notes 2", "redirect_uris": [LOOPBACK]}).json
    assert changed["name"] == "Notes 2"
    assert changed["redirect_uris"] == [LOOPBACK]
    assert changed["grant_types"] == made["grant_types"]
    assert changed["__meta__"]["version"] == 2


def test_an_update_never_shows_the_secret(admin):
    made = make(admin)
    assert "client_secret" not in admin.patch_json(url_of(made), {"name": "Notes 2"}).json


def test_the_client_type_is_set_once(admin):
    made = make(admin)
    response = admin.patch_json(url_of(made), {"client_type": "public"}, status=400)
    assert error_fields(response) == [("body", "client_type")]
    admin.patch_json(url_of(made), {"client_type": "confidential"}, status=200)


def test_an_update_is_checked_with_the_stored_fields(admin):
    public = make(admin, client_type="public")
    response = admin.patch_json(
        url_of(public), {"grant_types": ["authorization_code", "password"]}, status=400
    )
    assert error_fields(response) == [("body", "grant_types")]
    response = admin.patch_json(url_of(public), {"redirect_uris": []}, status=400)
    assert error_fields(response) == [("body", "redirect_uris")]
    confidential = make(admin)
    response = admin.patch_json(url_of(confidential), {"redirect_uris": [NATIVE]}, status=400)
    assert error_fields(response) == [("body", "redirect_uris.0")]


def test_a_refused_update_changes_nothing(admin):
    made = make(admin)
    admin.patch_json(url_of(made), {"name": "Other", "redirect_uris": [NATIVE]}, status=400)
    assert admin.get(url_of(made)).json["name"] == "Notes"


def test_delete(admin):
    made = make(admin)
    admin.delete(url_of(made), status=204)
    admin.get(url_of(made), status=404)


# Conditional requests.


def test_a_stale_etag_is_refused(admin):
    made = make(admin)
    etag = admin.get(url_of(made)).headers["ETag"]
    admin.patch_json(url_of(made), {"name": "Notes 2"})
    admin.patch_json(url_of(made), {"name": "Notes 3"}, headers={"If-Match": etag}, status=412)
    admin.delete(url_of(made), headers={"If-Match": etag}, status=412)
    assert admin.get(url_of(made)).json["name"] == "Notes 2"


def test_a_current_copy_is_not_sent_again(admin):
    made = make(admin)
    etag = admin.get(url_of(made)).headers["ETag"]
    admin.get(url_of(made), headers={"If-None-Match": etag}, status=304)
    etag = admin.get("/-/applications/").headers["ETag"]
    admin.get("/-/applications/", headers={"If-None-Match": etag}, status=304)


def test_a_deletion_changes_the_list(admin):
    made = make(admin)
    listed = admin.get("/-/applications/")
    admin.delete(url_of(made), status=204)
    headers = {"If-None-Match": listed.headers["ETag"], "If-Modified-Since": listed.headers["Last-Modified"]}
    assert admin.get("/-/applications/", headers=headers, status=200).json["count"] == 0


# Lists.


def test_lists_are_ordered_by_name(admin):
    for name in ("Wiki", "Calendar", "Notes"):
        make(admin, name=name)
    assert [item["name"] for item in admin.get("/-/applications/").json["results"]] == [
        "Calendar",
        "Notes",
        "Wiki",
    ]
    names = [item["name"] for item in admin.get("/-/applications/?ordering=-created").json["results"]]
    assert names == ["Notes", "Calendar", "Wiki"]


def test_lists_are_paginated(admin):
    for number in range(3):
        make(admin, name=f"App {number}")
    page = admin.get("/-/applications/?page_size=2").json
    assert (page["count"], len(page["results"])) == (3, 2)
    assert page["next"] == "http://localhost/-/applications/?page_size=2&page=2"


def test_lists_filter_and_search(admin):
    make(admin, name="Notes")
    make(admin, name="Notes for phones", client_type="public", redirect_uris=[NATIVE])
    public = admin.get("/-/applications/?client_type=public").json["results"]
    assert [item["name"] for item in public] == ["Notes for phones"]
    assert admin.get("/-/applications/?search=PHONES").json["count"] == 1
    assert admin.get("/-/applications/?client_type__in=public,confidential").json["count"] == 2


def test_an_undeclared_filter_is_refused(admin):
    response = admin.get("/-/applications/?secret_hash=x", status=400)
    assert error_fields(response) == [("querystring", "secret_hash")]


# OPTIONS.


def test_options_gives_the_choices(admin):
    fields = admin.options("/-/applications/").json["actions"]["POST"]
    assert [choice["value"] for choice in fields["client_type"]["choices"]] == ["confidential", "public"]
    assert [choice["value"] for choice in fields["grant_types"]["choices"]] == [
        "authorization_code",
        "refresh_token",
        "password",
    ]
    assert [choice["value"] for choice in fields["scopes"]["choices"]] == ["read", "write"]
    assert fields["name"]["required"] is True
    assert "client_id" not in fields


def test_options_lists_only_what_the_caller_may_do(admin, member):
    assert "POST" in admin.options("/-/applications/").headers["Allow"]
    response = member.options("/-/applications/")
    assert "POST" not in response.headers["Allow"]
    assert response.json["actions"] == {}


# Who may do what: admins everything, nobody else anything.


def test_anonymous_may_not_register(app):
    response = Browser(app).post_json("/-/applications/", {"name": "x", "redirect_uris": [WEB]}, status=401)
    assert error_fields(response) == [("header", "Authorization")]


def test_a_member_may_not_register(member):
    response = member.post_json("/-/applications/", {"name": "x", "redirect_uris": [WEB]}, status=403)
    assert error_fields(response) == [("request", "permission")]


def test_a_member_lists_no_application(admin, member):
    make(admin)
    assert member.get("/-/applications/").json["count"] == 0


def test_anonymous_lists_no_application(admin, app):
    make(admin)
    assert Browser(app).get("/-/applications/").json["count"] == 0


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("options", ""),
        ("put_json", ""),
        ("patch_json", ""),
        ("delete", ""),
        ("post", "/secret"),
        ("options", "/secret"),
    ],
)
def test_an_application_does_not_exist_for_members(admin, member, method, suffix):
    url = url_of(make(admin)) + suffix
    arguments = ({"name": "Mine"},) if method.endswith("_json") else ()
    response = getattr(member, method)(url, *arguments, status=404)
    assert error_fields(response) == [("path", "path")]


@pytest.mark.parametrize(("method", "suffix"), [("get", ""), ("delete", ""), ("post", "/secret")])
def test_an_application_does_not_exist_for_anonymous_callers(admin, app, method, suffix):
    url = url_of(make(admin)) + suffix
    getattr(Browser(app), method)(url, status=404)


def test_every_admin_manages_every_application(admin, app, signup, dbsession):
    made = make(admin)
    other_admin = log_in_as_admin(app, signup, dbsession, "carol@example.com")
    assert other_admin.patch_json(url_of(made), {"name": "Renamed"}).json["name"] == "Renamed"
    other_admin.post(url_of(made) + "/secret", status=200)


def test_an_application_is_nobodys_once_its_maker_is_no_admin(admin, dbsession):
    made = make(admin)
    dbsession.execute(update(User).where(User.email == "root@example.com").values(is_admin=False))
    dbsession.commit()
    admin.get(url_of(made), status=404)
    assert admin.get("/-/applications/").json["count"] == 0


def test_an_admin_may_delegate_to_a_team_by_its_grants(admin, member, dbsession):
    made = make(admin)
    team = admin.post_json("/-/teams/", {"name": "Integrations"}, status=201).json["__meta__"]["id"]
    bob = dbsession.scalars(select(User).filter_by(email="bob@example.com")).one()
    dbsession.add_all(
        [
            TeamMember(team_id=team, user_id=bob.id),
            *(TeamGrant(team_id=team, permission=f"applications.{what}") for what in ("view", "edit")),
        ]
    )
    dbsession.commit()
    assert member.get("/-/applications/").json["count"] == 1
    assert member.get(url_of(made)).json["__meta__"]["permissions"] == ["view", "edit"]
    member.post(url_of(made) + "/secret", status=200)
    member.delete(url_of(made), status=403)


# Rotating a confidential client's secret.


def test_a_new_secret_is_shown_once_and_replaces_the_old_one(admin, dbsession, registry):
    made = make(admin)
    response = admin.post(url_of(made) + "/secret", status=200)
    rotated = response.json
    assert response.headers["Cache-Control"] == "no-store"
    assert SECRET.fullmatch(rotated["client_secret"])
    assert rotated["client_secret"] != made["client_secret"]
    assert rotated["client_id"] == made["client_id"]
    pepper = registry.settings["backrest.keys.pepper"]
    row = stored(dbsession, made)
    assert row.secret_hash == secret_hash(made["client_id"], rotated["client_secret"], pepper)
    assert "client_secret" not in admin.get(url_of(made)).json


def test_a_rotation_is_a_new_version(admin):
    made = make(admin)
    before = admin.get(url_of(made)).headers["ETag"]
    response = admin.post(url_of(made) + "/secret")
    assert response.json["__meta__"]["version"] == 2
    assert response.headers["ETag"] == admin.get(url_of(made)).headers["ETag"] != before


def test_a_public_client_has_no_secret_to_rotate(admin, dbsession):
    made = make(admin, client_type="public")
    response = admin.post(url_of(made) + "/secret", status=409)
    assert error_fields(response) == [("request", "client_type")]
    assert stored(dbsession, made).secret_hash is None


def test_a_rotation_of_an_unknown_application_is_a_404(admin):
    admin.post("/-/applications/nothing/secret", status=404)


# The audit log.


def audited(dbsession: Session, application: dict[str, Any]) -> list[AuditEntry]:
    found = select(AuditEntry).where(AuditEntry.object_id == application["client_id"])
    return list(dbsession.scalars(found.order_by(AuditEntry.created)))


def test_creation_change_rotation_and_deletion_are_audited_without_the_secret(admin, dbsession):
    made = make(admin)
    admin.patch_json(url_of(made), {"name": "Notes 2"})
    rotated = admin.post(url_of(made) + "/secret").json
    admin.delete(url_of(made), status=204)
    entries = audited(dbsession, made)
    assert [entry.action for entry in entries] == ["create", "update", "secret_rotated", "delete"]
    assert {entry.object_type for entry in entries} == {"applications"}
    assert entries[1].changes == {"name": ["Notes", "Notes 2"]}
    assert entries[2].changes == {"client_secret": "changed"}
    for secret in (made["client_secret"], rotated["client_secret"]):
        assert secret not in json.dumps([entry.changes for entry in entries])


# Discovery.


def test_the_api_root_lists_applications(browser):
    collection = browser.get("/-/").json["collections"]["applications"]
    assert collection["url"] == "http://localhost/-/applications/"
    assert collection["kind"] == "application"
