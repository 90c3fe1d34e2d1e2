"""Section 7: OPTIONS answers Allow and a description of the fields, for the caller.

On content types first, then on every other service: accounts, keys,
sessions, teams' members and keys.
"""

import pytest

from backrest.keys.schemas import SCOPES
from backrest.teams.membership import known_permissions
from backrest.teams.models import TeamMember
from tests.functional.content.conftest import document, url_of


def allow(response):
    return [method.strip() for method in response.headers["Allow"].split(",")]


# The body.


def test_options_body_has_the_contract_keys(anonymous):
    body = anonymous.options("/-/documents/").json
    assert set(body) == {"name", "description", "renders", "parses", "actions"}


def test_options_names_and_describes_the_collection(anonymous):
    body = anonymous.options("/-/documents/").json
    assert body["name"] == "documents"
    assert body["description"] == "Documents with a title, a body, tags and nested attributes."


def test_options_lists_what_is_rendered_and_parsed(anonymous):
    body = anonymous.options("/-/documents/").json
    assert "application/json" in body["renders"]
    assert {"application/json", "application/x-www-form-urlencoded", "multipart/form-data"} <= set(
        body["parses"]
    )


def test_options_describes_each_field_to_post(logged_in):
    fields = logged_in.options("/-/documents/").json["actions"]["POST"]
    assert set(fields) == {"title", "body", "status", "tags", "attributes", "public"}
    assert fields["title"] == {
        "type": "string",
        "required": True,
        "read_only": False,
        "label": "Title",
        "max_length": 200,
    }


def test_options_says_which_fields_have_defaults(logged_in):
    fields = logged_in.options("/-/documents/").json["actions"]["POST"]
    assert [name for name, field in fields.items() if field["required"]] == ["title"]


def test_options_lists_choices(logged_in):
    status = logged_in.options("/-/documents/").json["actions"]["POST"]["status"]
    assert [choice["value"] for choice in status["choices"]] == ["draft", "published", "archived"]


def test_options_gives_the_range_of_an_integer(logged_in):
    servings = logged_in.options("/-/recipes/").json["actions"]["POST"]["servings"]
    assert (servings["type"], servings["min_value"], servings["max_value"]) == ("integer", 1, 12)


def test_options_names_boolean_fields(logged_in):
    fields = logged_in.options("/-/recipes/").json["actions"]["POST"]
    assert (fields["vegetarian"]["type"], fields["public"]["type"]) == ("boolean", "boolean")


def test_options_describes_nested_fields(logged_in):
    details = logged_in.options("/-/recipes/").json["actions"]["POST"]["details"]
    prep = details["children"]["time"]["children"]["prep"]
    assert (prep["type"], prep["min_value"], prep["max_value"]) == ("integer", 0, 600)


def test_options_describes_the_items_of_a_list(logged_in):
    tags = logged_in.options("/-/documents/").json["actions"]["POST"]["tags"]
    assert (tags["type"], tags["child"]["type"], tags["child"]["max_length"]) == ("list", "string", 50)


def test_options_on_an_item_describes_put_with_nothing_required(logged_in):
    fields = logged_in.options(url_of(document(logged_in))).json["actions"]["PUT"]
    assert not any(field["required"] for field in fields.values())


def test_options_needs_no_csrf_token(logged_in):
    logged_in.options("/-/documents/", headers={"X-CSRF-Token": "wrong"}, status=200)


# Allow: only the methods the caller may use.


def test_anonymous_may_list_but_not_create(anonymous):
    response = anonymous.options("/-/documents/")
    assert allow(response) == ["GET", "HEAD", "OPTIONS"]
    assert response.json["actions"] == {}


def test_member_may_list_and_create(logged_in):
    response = logged_in.options("/-/documents/")
    assert allow(response) == ["GET", "HEAD", "POST", "OPTIONS"]
    assert list(response.json["actions"]) == ["POST"]


def test_member_may_not_create_where_only_admins_create(logged_in):
    response = logged_in.options("/-/announcements/")
    assert "POST" not in allow(response)
    assert response.json["actions"] == {}


def test_admin_may_create_where_only_admins_create(admin):
    assert "POST" in allow(admin.options("/-/announcements/"))


def test_owner_may_read_change_and_delete_an_item(logged_in):
    response = logged_in.options(url_of(document(logged_in)))
    assert allow(response) == ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]
    assert list(response.json["actions"]) == ["PUT"]


def test_other_member_may_only_read_a_public_item(logged_in, other):
    response = other.options(url_of(document(logged_in, public=True)))
    assert allow(response) == ["GET", "HEAD", "OPTIONS"]
    assert response.json["actions"] == {}


def test_anonymous_may_only_read_a_public_item(logged_in, anonymous):
    assert allow(anonymous.options(url_of(document(logged_in, public=True)))) == ["GET", "HEAD", "OPTIONS"]


def test_admin_may_do_everything_to_an_item_of_others(logged_in, admin):
    assert allow(admin.options(url_of(document(logged_in)))) == [
        "GET",
        "HEAD",
        "PUT",
        "PATCH",
        "DELETE",
        "OPTIONS",
    ]


@pytest.mark.parametrize("caller", ["other", "anonymous"])
def test_options_on_an_item_the_caller_may_not_see_is_404(logged_in, request, caller):
    request.getfixturevalue(caller).options(url_of(document(logged_in)), status=404)


def test_allow_matches_what_the_caller_can_do(logged_in, other):
    # Every method Allow lists works, and every one it leaves out is refused.
    url = url_of(document(logged_in, public=True))
    allowed = allow(other.options(url))
    assert other.get(url).status_int == 200
    assert "PATCH" not in allowed
    other.patch_json(url, {"title": "x"}, status=403)


# Every other service: the same answer, built from the schemas of its methods.


def values(field):
    return [choice["value"] for choice in field["choices"]]


def team(browser, name="Editors"):
    return browser.post_json("/-/teams/", {"name": name}, status=201).json


def test_every_service_answers_options_in_the_contracts_shape(anonymous, app):
    for service in app.registry["backrest.services"]:
        if "{" in service.path:
            continue
        body = anonymous.options(service.path).json
        assert set(body) == {"name", "description", "renders", "parses", "actions"}, service.name
        assert body["description"] == service.description


def test_anonymous_may_sign_up_and_is_told_the_fields(anonymous):
    response = anonymous.options("/-/signup")
    assert allow(response) == ["POST", "OPTIONS"]
    assert response.json["name"] == "signup"
    fields = response.json["actions"]["POST"]
    assert list(fields) == ["email", "password", "firstname", "lastname"]
    assert fields["email"] == {
        "type": "string",
        "required": True,
        "read_only": False,
        "label": "Email",
        "max_length": 320,
    }
    assert (fields["firstname"]["required"], fields["firstname"]["label"]) == (False, "First name")


def test_login_lists_its_status_and_the_login_fields(anonymous):
    response = anonymous.options("/-/login")
    assert allow(response) == ["GET", "HEAD", "PUT", "OPTIONS"]
    assert list(response.json["actions"]["PUT"]) == ["login", "password"]


@pytest.mark.parametrize("path", ["/-/password", "/-/email/", "/-/keys/", "/-/sessions/"])
def test_anonymous_may_only_ask_on_the_accounts_own_services(anonymous, path):
    response = anonymous.options(path)
    assert allow(response) == ["OPTIONS"]
    assert response.json["actions"] == {}


def test_the_account_owner_may_change_the_password(logged_in):
    response = logged_in.options("/-/password")
    assert allow(response) == ["PUT", "OPTIONS"]
    fields = response.json["actions"]["PUT"]
    assert {name: field["label"] for name, field in fields.items()} == {
        "current": "Current password",
        "password": "New password",
    }


def test_keys_list_their_scopes_as_choices(logged_in):
    response = logged_in.options("/-/keys/")
    assert allow(response) == ["GET", "HEAD", "POST", "OPTIONS"]
    assert response.json["name"] == "keys"
    scopes = response.json["actions"]["POST"]["scopes"]
    assert scopes["type"] == "list"
    assert values(scopes) == values(scopes["child"]) == list(SCOPES) == ["read", "write"]


def test_options_on_a_key_lists_no_fields(logged_in):
    response = logged_in.options("/-/keys/whatever")
    assert allow(response) == ["DELETE", "OPTIONS"]
    assert response.json["actions"] == {}


def test_the_account_owner_may_list_and_end_sessions(logged_in):
    assert allow(logged_in.options("/-/sessions/")) == ["GET", "HEAD", "DELETE", "OPTIONS"]


def test_a_teams_manager_may_invite(logged_in):
    response = logged_in.options(url_of(team(logged_in)) + "/members")
    assert allow(response) == ["POST", "OPTIONS"]
    assert response.json["name"] == "members"
    assert response.json["actions"]["POST"]["email"]["required"] is True


def test_a_teams_member_may_not_invite(logged_in, other, dbsession):
    made = team(logged_in)
    dbsession.add(TeamMember(team_id=made["__meta__"]["id"], user_id=other.user_id))
    dbsession.commit()
    response = other.options(url_of(made) + "/members")
    assert allow(response) == ["OPTIONS"]
    assert response.json["actions"] == {}


@pytest.mark.parametrize("caller", ["other", "anonymous"])
def test_options_on_the_members_of_a_team_the_caller_may_not_see_is_404(logged_in, request, caller):
    made = team(logged_in)
    request.getfixturevalue(caller).options(url_of(made) + "/members", status=404)


def test_a_teams_keys_list_their_scopes_to_its_managers(logged_in):
    response = logged_in.options(url_of(team(logged_in)) + "/keys/")
    assert allow(response) == ["GET", "HEAD", "POST", "OPTIONS"]
    assert values(response.json["actions"]["POST"]["scopes"]) == ["read", "write"]


def test_team_permissions_are_choices_generated_from_the_content_types(admin, registry):
    known = known_permissions(registry["backrest.content_types"].values())
    assert {"documents.view", "recipes.edit", "teams.manage"} <= set(known)
    created = admin.options("/-/teams/").json["actions"]["POST"]["permissions"]
    assert values(created) == values(created["child"]) == known
    updated = admin.options(url_of(team(admin))).json["actions"]["PUT"]["permissions"]
    assert values(updated["child"]) == known


def test_the_405_of_a_service_names_options_too(anonymous):
    response = anonymous.delete("/-/signup", status=405)
    assert allow(response) == ["POST", "OPTIONS"]
