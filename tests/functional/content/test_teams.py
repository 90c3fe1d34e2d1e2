"""/-/teams/: teams, their members, the permissions admins grant them, and objects shared with them."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, update

from backrest.audit.models import AuditEntry
from backrest.content.models import Share
from backrest.db import utcnow
from backrest.teams.invitations import TeamInvitations
from backrest.teams.models import Team, TeamInvitation
from backrest.types.documents import Document
from tests.client import Browser
from tests.conftest import error_fields
from tests.functional.content.conftest import document, log_in, url_of
from tests.functional.content.files import data_path, upload

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.mailbox import Mailbox


def team(browser: Browser, name: str = "Editors", **fields: Any) -> dict[str, Any]:
    return browser.post_json("/-/teams/", {"name": name, **fields}, status=201).json


def invite(browser: Browser, made: dict[str, Any], email: str, **kwargs: Any) -> Any:
    return browser.post_json(url_of(made) + "/members", {"email": email}, **kwargs)


def member_ids(browser: Browser, made: dict[str, Any]) -> list[str]:
    return [member["id"] for member in browser.get(url_of(made)).json["members"]]


def email_of(browser: Browser) -> str:
    return browser.get("/-/login").json["email"]


@pytest.fixture
def enrol(mailbox: Mailbox) -> Callable[[Browser, dict[str, Any], Browser], dict[str, Any]]:
    """Make ``invitee`` a member of the team ``made``: ``manager`` invites them, they accept."""

    def enrol(manager: Browser, made: dict[str, Any], invitee: Browser) -> dict[str, Any]:
        email = email_of(invitee)
        invite(manager, made, email, status=202)
        return invitee.post(f"/-/teams/invitations/{mailbox.last_to(email).token}", status=200).json

    return enrol


@pytest.fixture
def carol(app: Any, signup: Any) -> Browser:
    return log_in(Browser(app, extra_environ={"REMOTE_ADDR": "203.0.113.60"}), signup("carol@example.com"))


def test_the_maker_of_a_team_manages_it_and_is_in_it(logged_in):
    made = team(logged_in, description="Who edits the handbook")
    assert made["name"] == "Editors"
    assert made["description"] == "Who edits the handbook"
    assert made["permissions"] == []
    assert [member["id"] for member in made["members"]] == [logged_in.user_id]
    assert made["__meta__"]["owner"] == logged_in.user_id
    assert made["__meta__"]["permissions"] == ["view", "edit", "delete"]


def test_teams_have_the_framework_contract(logged_in):
    made = team(logged_in)
    response = logged_in.get(url_of(made))
    logged_in.get(url_of(made), headers={"If-None-Match": response.headers["ETag"]}, status=304)
    logged_in.put_json(url_of(made), {"name": "Writers"}, headers={"If-Match": '"stale"'}, status=412)
    renamed = logged_in.put_json(
        url_of(made), {"name": "Writers"}, headers={"If-Match": response.headers["ETag"]}
    )
    assert renamed.json["name"] == "Writers"
    listed = logged_in.get("/-/teams/?name=Writers").json
    assert [item["name"] for item in listed["results"]] == ["Writers"]
    assert "name" in logged_in.options("/-/teams/").json["actions"]["POST"]


def test_a_team_is_made_by_confirmed_accounts_only(browser, signup):
    log_in(browser, signup("dan@example.com", confirm=False))
    response = browser.post_json("/-/teams/", {"name": "Mine"}, status=403)
    assert error_fields(response) == [("request", "email_verified")]


def test_members_see_their_team_and_others_do_not(logged_in, other, carol, enrol):
    made = team(logged_in)
    enrol(logged_in, made, other)
    assert other.get(url_of(made)).json["name"] == "Editors"
    assert [item["name"] for item in other.get("/-/teams/").json["results"]] == ["Editors"]
    carol.get(url_of(made), status=404)
    assert carol.get("/-/teams/").json["results"] == []


def test_members_may_not_manage_the_team(logged_in, other, enrol):
    made = team(logged_in)
    enrol(logged_in, made, other)
    other.put_json(url_of(made), {"name": "Mine"}, status=403)
    invite(other, made, "carol@example.com", status=403)
    other.get(url_of(made) + "/invitations/", status=403)


def test_an_invitation_adds_nobody_until_accepted(logged_in, other):
    made = team(logged_in)
    before = logged_in.get(url_of(made))
    response = invite(logged_in, made, "bob@example.com", status=202)
    assert set(response.json) == {"status", "invitation"}
    assert response.headers["Cache-Control"] == "no-store"
    assert member_ids(logged_in, made) == [logged_in.user_id]
    assert logged_in.get(url_of(made)).headers["ETag"] == before.headers["ETag"]
    assert "bob" not in logged_in.get(url_of(made)).text.lower()


def test_an_invitation_answers_the_same_whatever_the_address(logged_in, other, carol, enrol, mailbox):
    """An account's address, nobody's, a member's: the manager learns nothing from the answer."""
    made = team(logged_in)
    enrol(logged_in, made, carol)
    answers = {
        email: invite(logged_in, made, email, status=202)
        for email in ("Bob@Example.com", "nobody@example.com", "carol@example.com")
    }
    for email, response in answers.items():
        invitation = response.json["invitation"]
        assert response.json == {
            "status": "success",
            "invitation": {"id": invitation["id"], "email": email, "expires": invitation["expires"]},
        }
    assert sorted(mail.to for mail in mailbox.new()) == [
        "Bob@Example.com",
        "carol@example.com",
        "carol@example.com",
        "nobody@example.com",
    ]
    assert error_fields(invite(logged_in, made, "not an address", status=400)) == [("body", "email")]


def test_an_invitation_does_the_same_work_whatever_the_address(logged_in, other, statements):
    """No account is looked up: the answer takes the same statements, and so about the same time."""
    made = team(logged_in)
    invite(logged_in, made, "first@example.com", status=202)
    ran = []
    for email in ("bob@example.com", "nobody@example.com"):
        statements.clear()
        invite(logged_in, made, email, status=202)
        ran.append(list(statements))
    assert ran[0] == ran[1]
    assert any("team_invitations" in statement for statement in ran[0])


def test_an_invitation_mails_a_single_use_link_kept_only_as_a_hash(logged_in, mailbox, dbsession):
    made = team(logged_in, "Handbook")
    invite(logged_in, made, "bob@example.com", status=202)
    mail = mailbox.last_to("bob@example.com")
    assert "'Handbook'" in mail.body
    assert "ada@example.com" in mail.body
    [link] = mail.links
    assert link == f"https://app.example/teams/invitation#token={mail.token}"
    assert len(mail.token) >= 43  # 256 bits, URL-safe base64
    [row] = dbsession.scalars(select(TeamInvitation))
    assert row.token_hash == hashlib.sha256(mail.token.encode()).hexdigest()
    assert mail.token not in str([getattr(row, column.key) for column in TeamInvitation.__table__.columns])


def test_accepting_an_invitation_joins_the_team(logged_in, other, mailbox):
    made = team(logged_in)
    before = logged_in.get(url_of(made)).headers["ETag"]
    invite(logged_in, made, "BOB@example.com", status=202)
    token = mailbox.last_to("bob@example.com").token
    response = other.post(f"/-/teams/invitations/{token}", status=200)
    assert response.headers["Cache-Control"] == "no-store"
    joined = response.json
    assert joined["__meta__"]["id"] == made["__meta__"]["id"]
    assert joined["__meta__"]["permissions"] == ["view"]
    assert [member["id"] for member in joined["members"]] == [logged_in.user_id, other.user_id]
    assert member_ids(logged_in, made) == [logged_in.user_id, other.user_id]
    assert logged_in.get(url_of(made)).headers["ETag"] != before
    assert other.get(url_of(made)).json["name"] == "Editors"
    assert logged_in.get(url_of(made) + "/invitations/").json["results"] == []


def test_accepting_with_the_token_in_the_body(logged_in, other, mailbox):
    made = team(logged_in)
    invite(logged_in, made, "bob@example.com", status=202)
    token = mailbox.last_to("bob@example.com").token
    joined = other.post_json("/-/teams/invitations/", {"token": token}, status=200).json
    assert [member["id"] for member in joined["members"]] == [logged_in.user_id, other.user_id]
    response = other.post_json("/-/teams/invitations/", {"token": token}, status=400)
    assert error_fields(response) == [("body", "token")]
    assert error_fields(other.post_json("/-/teams/invitations/", {}, status=400)) == [("body", "token")]


def test_an_invitation_works_once(logged_in, other, mailbox):
    made = team(logged_in)
    invite(logged_in, made, "bob@example.com", status=202)
    token = mailbox.last_to("bob@example.com").token
    other.post(f"/-/teams/invitations/{token}", status=200)
    response = other.post(f"/-/teams/invitations/{token}", status=400)
    assert error_fields(response) == [("path", "token")]
    other.post(f"/-/teams/invitations/{'x' * 43}", status=400)


def test_an_invitation_spent_meanwhile_is_not_spent_again(app, logged_in, mailbox, dbsession):
    """Of two requests that found the invitation live, only the first to spend it does."""
    made = team(logged_in)
    invite(logged_in, made, "bob@example.com", status=202)
    token = mailbox.last_to("bob@example.com").token
    found = TeamInvitations(dbsession).find(token)
    with app.registry["dbsession_factory"]() as concurrent:
        invitations = TeamInvitations(concurrent)
        assert invitations.spend(invitations.find(token))
        concurrent.commit()
    assert not TeamInvitations(dbsession).spend(found)


def test_an_expired_invitation_is_refused(logged_in, other, mailbox, dbsession):
    made = team(logged_in)
    invite(logged_in, made, "bob@example.com", status=202)
    token = mailbox.last_to("bob@example.com").token
    dbsession.execute(update(TeamInvitation).values(expires=utcnow() - timedelta(seconds=1)))
    dbsession.commit()
    other.post(f"/-/teams/invitations/{token}", status=400)
    assert logged_in.get(url_of(made) + "/invitations/").json["results"] == []
    assert member_ids(logged_in, made) == [logged_in.user_id]


def test_only_the_invited_address_accepts(logged_in, other, carol, mailbox):
    made = team(logged_in, "Secret project")
    invite(logged_in, made, "bob@example.com", status=202)
    token = mailbox.last_to("bob@example.com").token
    response = carol.post(f"/-/teams/invitations/{token}", status=403)
    assert error_fields(response) == [("path", "token")]
    assert "Secret" not in response.text
    assert "bob" not in response.text
    carol.get(url_of(made), status=404)
    # The invitation is still its invitee's.
    other.post(f"/-/teams/invitations/{token}", status=200)


def test_accepting_needs_a_confirmed_address(logged_in, app, signup, mailbox):
    made = team(logged_in)
    invite(logged_in, made, "dan@example.com", status=202)
    token = mailbox.last_to("dan@example.com").token
    dan = log_in(
        Browser(app, extra_environ={"REMOTE_ADDR": "203.0.113.80"}), signup("dan@example.com", confirm=False)
    )
    response = dan.post(f"/-/teams/invitations/{token}", status=403)
    assert error_fields(response) == [("request", "email_verified")]
    assert member_ids(logged_in, made) == [logged_in.user_id]


def test_accepting_needs_the_invitee_in_a_session(logged_in, other, anonymous, mailbox):
    made = team(logged_in)
    invite(logged_in, made, "bob@example.com", status=202)
    token = mailbox.last_to("bob@example.com").token
    anonymous.post(f"/-/teams/invitations/{token}", status=401)
    personal = other.post_json("/-/keys", {}, status=201).json["key"]
    as_key(other, personal).post(f"/-/teams/invitations/{token}", status=403)
    assert member_ids(logged_in, made) == [logged_in.user_id]


def test_inviting_a_member_changes_nothing(logged_in, other, enrol, mailbox):
    made = team(logged_in)
    enrol(logged_in, made, other)
    version = logged_in.get(url_of(made)).json["__meta__"]["version"]
    invite(logged_in, made, "bob@example.com", status=202)
    token = mailbox.last_to("bob@example.com").token
    assert other.post(f"/-/teams/invitations/{token}", status=200).json["__meta__"]["version"] == version
    assert member_ids(logged_in, made) == [logged_in.user_id, other.user_id]


def test_managers_see_pending_invitations_as_typed(logged_in, other, enrol):
    made = team(logged_in)
    enrol(logged_in, made, other)
    sent = invite(logged_in, made, "Carol@Example.com", status=202).json["invitation"]
    invite(logged_in, made, "nobody@example.com", status=202)
    listed = logged_in.get(url_of(made) + "/invitations/")
    assert listed.headers["Cache-Control"] == "no-store"
    assert [item["email"] for item in listed.json["results"]] == ["Carol@Example.com", "nobody@example.com"]
    assert listed.json["results"][0] == sent
    assert set(listed.json["results"][1]) == {"id", "email", "expires"}


def test_inviting_again_replaces_the_earlier_invitation(logged_in, other, mailbox):
    made = team(logged_in)
    invite(logged_in, made, "bob@example.com", status=202)
    first = mailbox.last_to("bob@example.com").token
    invite(logged_in, made, "BOB@example.com", status=202)
    second = mailbox.last_to("bob@example.com").token
    assert [item["email"] for item in logged_in.get(url_of(made) + "/invitations/").json["results"]] == [
        "BOB@example.com"
    ]
    other.post(f"/-/teams/invitations/{first}", status=400)
    other.post(f"/-/teams/invitations/{second}", status=200)


def test_managers_revoke_invitations(logged_in, other, mailbox):
    made = team(logged_in)
    sent = invite(logged_in, made, "bob@example.com", status=202).json["invitation"]
    token = mailbox.last_to("bob@example.com").token
    other.delete(url_of(made) + f"/invitations/{sent['id']}", status=404)
    logged_in.delete(url_of(made) + f"/invitations/{sent['id']}", status=204)
    assert logged_in.get(url_of(made) + "/invitations/").json["results"] == []
    response = logged_in.delete(url_of(made) + f"/invitations/{sent['id']}", status=404)
    assert error_fields(response) == [("path", "invitation_id")]
    other.post(f"/-/teams/invitations/{token}", status=400)


def test_invitations_are_throttled_per_manager(app_with, logged_in):
    throttled = log_in(
        Browser(app_with(**{"backrest.throttle.team_invitations": "2/hour"})), "ada@example.com"
    )
    first, second = team(throttled, "First"), team(throttled, "Second")
    invite(throttled, first, "bob@example.com", status=202)
    invite(throttled, second, "carol@example.com", status=202)
    response = invite(throttled, second, "dan@example.com", status=429)
    assert error_fields(response) == [("request", "team_invitations")]
    assert int(response.headers["Retry-After"]) > 0
    assert throttled.get(url_of(second) + "/invitations/").json["results"][0]["email"] == "carol@example.com"


def test_removing_members_and_leaving(logged_in, other, carol, enrol):
    made = team(logged_in)
    enrol(logged_in, made, other)
    enrol(logged_in, made, carol)
    other.delete(url_of(made) + f"/members/{carol.user_id}", status=403)
    carol.delete(url_of(made) + f"/members/{carol.user_id}", status=204)
    logged_in.delete(url_of(made) + f"/members/{other.user_id}", status=204)
    assert member_ids(logged_in, made) == [logged_in.user_id]
    logged_in.delete(url_of(made) + f"/members/{other.user_id}", status=404)
    other.get(url_of(made), status=404)


def test_a_former_member_sees_the_team_list_change(logged_in, other, dbsession, enrol):
    made = team(logged_in)
    enrol(logged_in, made, other)
    dbsession.execute(update(Team).values(modified=utcnow() - timedelta(hours=1)))
    dbsession.commit()
    modified = other.get("/-/teams/").headers["Last-Modified"]
    logged_in.delete(url_of(made) + f"/members/{other.user_id}", status=204)
    assert other.get("/-/teams/", headers={"If-Modified-Since": modified}, status=200).json["count"] == 0


def test_only_admins_grant_permissions(logged_in, admin):
    made = team(logged_in)
    response = logged_in.put_json(url_of(made), {"permissions": ["documents.view"]}, status=403)
    assert error_fields(response) == [("body", "permissions")]
    response = team(admin, "Readers", permissions=["documents.view", "files.view"])
    assert response["permissions"] == ["documents.view", "files.view"]
    # Sending the team back as it is changes nothing, and needs no admin.
    logged_in.put_json(url_of(made), {"permissions": [], "name": "Editors"}, status=200)


def test_a_change_of_permissions_alone_is_a_new_version(logged_in, admin):
    made = team(logged_in)
    before = admin.get(url_of(made))
    after = admin.put_json(
        url_of(made), {"permissions": ["documents.view"]}, headers={"If-Match": before.headers["ETag"]}
    )
    assert after.json["__meta__"]["version"] == before.json["__meta__"]["version"] + 1
    assert after.headers["ETag"] != before.headers["ETag"]
    response = logged_in.get(url_of(made), headers={"If-None-Match": before.headers["ETag"]}, status=200)
    assert response.json["permissions"] == ["documents.view"]
    # The same permissions again are no change.
    same = admin.put_json(url_of(made), {"permissions": ["documents.view"]})
    assert same.headers["ETag"] == after.headers["ETag"]


def test_unknown_permissions_are_refused(admin):
    response = admin.post_json(
        "/-/teams/", {"name": "T", "permissions": ["documents.view", "documnets.edit"]}, status=400
    )
    assert error_fields(response) == [("body", "permissions.1")]
    assert "documents.edit" in response.json["errors"][0]["description"]
    assert "teams.manage" in response.json["errors"][0]["description"]


def test_a_view_grant_shows_every_object_of_the_type(logged_in, other, admin, enrol):
    private = document(logged_in, "Ada's private notes")
    other.get(url_of(private), status=404)
    readers = team(admin, "Readers", permissions=["documents.view"])
    enrol(admin, readers, other)
    assert other.get(url_of(private)).json["title"] == "Ada's private notes"
    assert [item["title"] for item in other.get("/-/documents/").json["results"]] == ["Ada's private notes"]
    assert other.get(url_of(private)).json["__meta__"]["permissions"] == ["view"]
    other.put_json(url_of(private), {"title": "Bob was here"}, status=403)


def test_an_edit_grant_lets_members_change_others_objects(logged_in, other, admin, enrol):
    private = document(logged_in, "Draft")
    editors = team(admin, "Editors", permissions=["documents.view", "documents.edit"])
    enrol(admin, editors, other)
    assert other.put_json(url_of(private), {"title": "Edited"}).json["title"] == "Edited"
    other.delete(url_of(private), status=403)


def test_leaving_a_team_takes_its_grants_away(logged_in, other, admin, enrol):
    private = document(logged_in)
    readers = team(admin, "Readers", permissions=["documents.view"])
    enrol(admin, readers, other)
    other.get(url_of(private), status=200)
    other.delete(url_of(readers) + f"/members/{other.user_id}", status=204)
    other.get(url_of(private), status=404)


def test_teams_manage_lets_members_manage_every_team(logged_in, other, admin, enrol):
    made = team(logged_in)
    managers = team(admin, "Managers", permissions=["teams.manage"])
    enrol(admin, managers, other)
    assert sorted(item["name"] for item in other.get("/-/teams/").json["results"]) == ["Editors", "Managers"]
    invite(other, made, "root@example.com", status=202)
    other.put_json(url_of(made), {"name": "Renamed"}, status=200)
    # Managing teams is not granting permissions: admins do that.
    other.put_json(url_of(made), {"permissions": ["documents.edit"]}, status=403)


def test_invitations_membership_and_grants_are_audited(logged_in, other, admin, dbsession, enrol):
    made = team(logged_in)
    revoked = invite(logged_in, made, "Nobody@example.com", status=202).json["invitation"]["id"]
    logged_in.delete(url_of(made) + f"/invitations/{revoked}", status=204)
    enrol(logged_in, made, other)
    logged_in.delete(url_of(made) + f"/members/{other.user_id}", status=204)
    admin.put_json(url_of(made), {"permissions": ["files.view"]}, status=200)
    entries = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "teams").order_by(AuditEntry.created)
    ).all()
    [accepted] = [entry.changes["invitation"] for entry in entries if entry.action == "invitation_accepted"]
    assert [(entry.action, entry.actor_id, entry.changes.get("member")) for entry in entries] == [
        ("create", logged_in.user_id, None),
        ("invitation_sent", logged_in.user_id, None),
        ("invitation_revoked", logged_in.user_id, None),
        ("invitation_sent", logged_in.user_id, None),
        ("invitation_accepted", other.user_id, other.user_id),
        ("member_removed", logged_in.user_id, other.user_id),
        ("update", admin.user_id, None),
    ]
    assert [entry.changes.get("invitation") for entry in entries[1:5]] == [
        revoked,
        revoked,
        accepted,
        accepted,
    ]
    assert entries[1].changes["email"] == "Nobody@example.com"
    assert {entry.owner_id for entry in entries} == {logged_in.user_id}
    assert entries[-1].changes["permissions"] == [[], ["files.view"]]


def test_deleting_a_team_ends_its_memberships_and_invitations(logged_in, other, admin, enrol, mailbox):
    private = document(logged_in)
    readers = team(admin, "Readers", permissions=["documents.view"])
    enrol(admin, readers, other)
    invite(admin, readers, "ada@example.com", status=202)
    token = mailbox.last_to("ada@example.com").token
    admin.delete(url_of(readers), status=204)
    other.get(url_of(private), status=404)
    assert other.get("/-/teams/").json["results"] == []
    logged_in.post(f"/-/teams/invitations/{token}", status=400)


# Sharing objects with a team.


@pytest.fixture
def crew(logged_in: Browser, other: Browser, enrol: Callable[..., Any]) -> dict[str, Any]:
    """Ada's team, with Bob in it."""
    made = team(logged_in, "Crew")
    enrol(logged_in, made, other)
    return made


def share_url(obj: dict[str, Any], made: dict[str, Any]) -> str:
    return url_of(obj) + f"/shares/{made['__meta__']['id']}"


def test_an_object_shared_with_a_team_is_seen_by_its_members(logged_in, other, carol, crew):
    private = document(logged_in, "Plan")
    other.get(url_of(private), status=404)
    assert logged_in.put(share_url(private, crew), status=201).json["team_id"] == crew["__meta__"]["id"]
    assert other.get(url_of(private)).json["__meta__"]["permissions"] == ["view"]
    assert [item["title"] for item in other.get("/-/documents/").json["results"]] == ["Plan"]
    other.put_json(url_of(private), {"title": "Mine"}, status=403)
    carol.get(url_of(private), status=404)
    assert carol.get("/-/documents/").json["results"] == []


def test_sharing_is_listed_idempotent_and_a_new_version(logged_in, crew):
    private = document(logged_in)
    before = logged_in.get(url_of(private)).headers["ETag"]
    logged_in.put(share_url(private, crew), status=201)
    logged_in.put(share_url(private, crew), status=200)
    assert logged_in.get(url_of(private)).headers["ETag"] != before
    [listed] = logged_in.get(url_of(private) + "/shares/").json["results"]
    assert listed["team_id"] == crew["__meta__"]["id"]


def test_only_the_owner_shares(logged_in, other, crew, admin, enrol):
    private = document(logged_in)
    editors = team(admin, "Editors", permissions=["documents.view", "documents.edit"])
    enrol(admin, editors, other)
    other.put(share_url(private, crew), status=403)
    other.get(url_of(private) + "/shares/", status=403)
    admin.put(share_url(private, crew), status=201)


def test_sharing_with_a_team_one_cannot_see_is_refused(logged_in, other, carol):
    theirs = team(carol, "Carol's")
    private = document(logged_in)
    response = logged_in.put(share_url(private, theirs), status=404)
    assert error_fields(response) == [("path", "team_id")]
    logged_in.put(url_of(private) + "/shares/nonexistent", status=404)


def test_unsharing_takes_the_object_away(logged_in, other, crew, dbsession):
    private = document(logged_in)
    logged_in.put(share_url(private, crew), status=201)
    dbsession.execute(update(Document).values(modified=utcnow() - timedelta(hours=1)))
    dbsession.commit()
    last_modified = other.get("/-/documents/").headers["Last-Modified"]
    logged_in.delete(share_url(private, crew), status=204)
    other.get(url_of(private), status=404)
    response = other.get("/-/documents/", headers={"If-Modified-Since": last_modified}, status=200)
    assert response.json["count"] == 0
    logged_in.delete(share_url(private, crew), status=404)


def test_a_shared_file_can_be_downloaded_by_the_team(logged_in, other, crew):
    made = upload(logged_in, b"the plan").json
    other.get(data_path(made), status=404)
    logged_in.put(share_url(made, crew), status=201)
    assert other.get(data_path(made)).body == b"the plan"


def test_shares_go_with_the_object_and_with_the_team(logged_in, other, crew, dbsession):
    first, second = document(logged_in), document(logged_in)
    logged_in.put(share_url(first, crew), status=201)
    logged_in.put(share_url(second, crew), status=201)
    logged_in.delete(url_of(first), status=204)
    assert [share.object_id for share in dbsession.scalars(select(Share))] == [second["__meta__"]["id"]]
    logged_in.delete(url_of(crew), status=204)
    assert dbsession.scalars(select(Share)).all() == []
    other.get(url_of(second), status=404)


def test_sharing_is_audited(logged_in, crew, dbsession):
    private = document(logged_in)
    logged_in.put(share_url(private, crew), status=201)
    logged_in.delete(share_url(private, crew), status=204)
    entries = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "documents").order_by(AuditEntry.created)
    ).all()
    assert [(entry.action, entry.changes.get("team")) for entry in entries] == [
        ("create", None),
        ("share", crew["__meta__"]["id"]),
        ("unshare", crew["__meta__"]["id"]),
    ]


def test_a_member_reads_a_shared_object_in_two_statements(logged_in, other, crew, statements):
    private = document(logged_in)
    logged_in.put(share_url(private, crew), status=201)
    other.get(url_of(private))
    statements.clear()
    other.get(url_of(private))
    assert len(statements) <= 2
    statements.clear()
    other.get("/-/documents/")
    assert len(statements) <= 3


# Team keys.


def team_key(browser: Browser, made: dict[str, Any], **body: Any) -> dict[str, Any]:
    return browser.post_json(url_of(made) + "/keys/", body, status=201).json


def as_key(browser: Browser, credential: str) -> Browser:
    """``browser``'s application, as a script sending ``credential`` (no cookie)."""
    environ = {"REMOTE_ADDR": "203.0.113.70", "HTTP_AUTHORIZATION": f"Token {credential}"}
    return Browser(browser.app, extra_environ=environ)


def test_managers_make_team_keys(logged_in, other, crew):
    made = team_key(logged_in, crew, name="deploy")
    assert made["key"].startswith(made["id"] + ":")
    assert made["created_by"] == logged_in.user_id
    assert [key["id"] for key in logged_in.get(url_of(crew) + "/keys/").json["results"]] == [made["id"]]
    assert logged_in.get("/-/keys").json["results"] == []
    other.post_json(url_of(crew) + "/keys/", {}, status=403)
    other.get(url_of(crew) + "/keys/", status=403)


def test_keys_cannot_make_team_keys(logged_in, crew):
    personal = logged_in.post_json("/-/keys", {}, status=201).json["key"]
    response = as_key(logged_in, personal).post_json(url_of(crew) + "/keys/", {}, status=403)
    assert error_fields(response) == [("header", "Authorization")]


def test_a_team_key_acts_as_the_team_not_as_its_maker(logged_in, other, crew):
    private = document(logged_in, "Ada's own")
    shared = document(logged_in, "For the crew")
    logged_in.put(share_url(shared, crew), status=201)
    script = as_key(logged_in, team_key(logged_in, crew)["key"])
    script.get(url_of(private), status=404)
    assert [item["title"] for item in script.get("/-/documents/").json["results"]] == ["For the crew"]
    assert script.get(url_of(crew)).json["name"] == "Crew"
    script.put_json(url_of(crew), {"name": "Taken"}, status=403)


def test_a_team_key_has_the_team_permissions(logged_in, other, admin):
    private = document(other, "Bob's")
    readers = team(admin, "Readers", permissions=["documents.view"])
    script = as_key(admin, team_key(admin, readers)["key"])
    assert script.get(url_of(private)).json["title"] == "Bob's"
    script.put_json(url_of(private), {"title": "Changed"}, status=403)


def test_what_a_team_key_makes_belongs_to_the_team(logged_in, other, carol, crew, dbsession):
    key = team_key(logged_in, crew)
    script = as_key(logged_in, key["key"])
    made = script.post_json("/-/documents/", {"title": "From CI"}, status=201).json
    assert made["__meta__"]["owner"] is None
    assert made["__meta__"]["permissions"] == ["view"]
    assert other.get(url_of(made)).json["title"] == "From CI"
    carol.get(url_of(made), status=404)
    entries = select(AuditEntry).where(AuditEntry.object_id == made["__meta__"]["id"])
    assert [entry.actor_id for entry in dbsession.scalars(entries)] == [f"key:{key['id']}"]


def test_revoking_a_team_key_and_deleting_the_team(logged_in, crew):
    first, second = team_key(logged_in, crew), team_key(logged_in, crew)
    logged_in.delete(url_of(crew) + f"/keys/{first['id']}", status=204)
    as_key(logged_in, first["key"]).get("/-/documents/", status=401)
    as_key(logged_in, second["key"]).get("/-/documents/", status=200)
    logged_in.delete(url_of(crew), status=204)
    as_key(logged_in, second["key"]).get("/-/documents/", status=401)
