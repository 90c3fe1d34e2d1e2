"""The browsable page's forms, built from the OpenAPI description of what answered."""

from urllib.parse import urlencode

import pytest

from tests.browsable import page_forms
from tests.functional.content.conftest import document, url_of

HTML = {"Accept": "text/html"}
FORM = "application/x-www-form-urlencoded"


def forms_of(browser, path, **kwargs):
    return page_forms(browser.get(path, headers=HTML, **kwargs).text)


def test_anonymous_caller_gets_a_login_form_and_no_writes(anonymous):
    forms = forms_of(anonymous, "/-/documents/")
    assert set(forms) == {"login", "query"}
    login = forms["login"]
    assert (login.method, login.action) == ("PUT", "http://localhost/-/login")
    assert login.control("password").type == "password"
    assert login.labels["login--login"].startswith("Login")


def test_the_login_form_logs_in(anonymous, signup):
    email = signup("reader@example.com")
    login = forms_of(anonymous, "/-/documents/")["login"]
    fields = [
        (name, email if name == "login" else "correct horse battery staple") for name, _ in login.fields()
    ]
    anonymous.put(login.action, urlencode(fields), content_type=FORM, headers={"Accept": "application/json"})
    assert set(forms_of(anonymous, "/-/documents/")) == {"logout", "query", "create"}


def test_logout_form_ends_the_session(logged_in):
    logout = forms_of(logged_in, "/-/documents/")["logout"]
    assert logout.fields() == []
    logged_in.put(logout.action, "", content_type=FORM)
    assert "login" in forms_of(logged_in, "/-/documents/")


def test_an_empty_collection_still_gets_every_field(logged_in):
    create = forms_of(logged_in, "/-/documents/")["create"]
    assert create.method == "POST"
    assert [control.name for control in create.controls if control.type != "hidden"] == [
        "title",
        "body",
        "status",
        "tags.0",
        "attributes.language",
        "attributes.color",
        "attributes.priority",
        "public",
    ]


def test_inputs_are_typed_from_the_schema(logged_in):
    create = forms_of(logged_in, "/-/documents/")["create"]
    assert create.control("title").attributes["maxlength"] == "200"
    assert "required" in create.control("title").attributes
    assert create.control("body").tag == "textarea"
    assert create.control("status").tag == "select"
    assert create.control("status").value == "draft"
    priority = create.control("attributes.priority")
    assert (priority.type, priority.attributes["min"], priority.attributes["max"]) == ("number", "0", "5")
    assert create.control("public").type == "checkbox"


def test_labels_name_each_field_and_say_which_are_required(logged_in):
    labels = forms_of(logged_in, "/-/documents/")["create"].labels
    assert labels["create--title"] == "Title (required)"
    assert labels["create--attributes.priority"] == "Priority"


def test_the_create_form_creates_what_it_says(logged_in):
    create = forms_of(logged_in, "/-/documents/")["create"]
    fields = [*create.fields(), ("title", "From the page"), ("attributes.priority", "3")]
    created = logged_in.post(create.action, urlencode(fields), content_type=FORM, status=201).json
    assert (
        created["title"],
        created["status"],
        created["tags"],
        created["attributes"],
        created["public"],
    ) == (
        "From the page",
        "draft",
        [],
        {"priority": 3},
        False,
    )


def test_the_edit_form_is_filled_in_and_writes_back(logged_in):
    created = document(logged_in, "Minutes", tags=["a", "b"], attributes={"color": "red"}, public=True)
    response = logged_in.get(url_of(created), headers=HTML)
    edit = page_forms(response.text)["edit"]
    assert (edit.method, edit.attributes["data-if-match"]) == ("PUT", response.headers["ETag"])
    assert edit.control("tags.1").value == "b"
    fields = [(name, "Notes" if name == "title" else value) for name, value in edit.fields()]
    updated = logged_in.put(
        edit.action, urlencode(fields), content_type=FORM, headers={"If-Match": response.headers["ETag"]}
    ).json
    assert (updated["title"], updated["tags"], updated["attributes"], updated["public"]) == (
        "Notes",
        ["a", "b"],
        {"color": "red"},
        True,
    )


def test_delete_form_and_where_it_leads(logged_in):
    created = document(logged_in)
    delete = forms_of(logged_in, url_of(created))["delete"]
    assert delete.fields() == []
    assert delete.attributes["data-leave-to"] == "http://localhost/-/documents/"
    logged_in.delete(delete.action, status=204)


def test_only_the_methods_the_caller_may_use(logged_in, other):
    created = document(logged_in, public=True)
    assert set(forms_of(other, url_of(created))) == {"logout"}


def test_nested_objects_and_lists_keep_their_dotted_names(logged_in):
    recipe = logged_in.post_json(
        "/-/recipes/",
        {"name": "Soup", "servings": 2, "details": {"cuisine": "thai", "time": {"prep": 5}}},
        status=201,
    ).json
    edit = forms_of(logged_in, url_of(recipe))["edit"]
    assert edit.control("details.cuisine").value == "thai"
    assert edit.control("details.time.prep").value == "5"
    assert edit.control("difficulty").tag == "select"


def test_query_form_offers_filters_ordering_and_page_size(logged_in):
    query = forms_of(logged_in, "/-/documents/?status=draft&ordering=-title")["query"]
    assert query.method == "GET"
    assert query.control("status").value == "draft"
    ordering = query.control("ordering")
    assert ordering.tag == "select"
    assert ordering.value == "-title"
    assert query.control("page_size").attributes["max"] == "100"
    assert query.control("public").tag == "select"
    assert query.control("created__gte").type == "datetime-local"
    assert query.labels["query--created__gte"] == "Created, at least"
    assert "page" not in {control.name for control in query.controls}


def test_page_links_say_where_the_page_stands(logged_in, documents):
    documents(3, owner=logged_in)
    html = logged_in.get("/-/documents/?page_size=2&page=2", headers=HTML).text
    assert "Page 2 · 3 objects in all" in html
    assert 'rel="prev">Previous page</a>' in html
    assert 'rel="next"' not in html


def test_a_file_collection_gets_a_multipart_form_with_a_file_input(logged_in):
    create = forms_of(logged_in, "/-/attachments/")["create"]
    assert create.attributes["enctype"] == "multipart/form-data"
    assert create.control("file").type == "file"
    assert "required" in create.control("file").attributes


def test_a_file_page_edits_its_metadata(logged_in):
    stored = logged_in.post(
        "/-/attachments/",
        {"filename": "notes.txt"},
        upload_files=[("file", "a.txt", b"hi", "text/plain")],
        status=201,
    ).json
    edit = forms_of(logged_in, url_of(stored))["edit"]
    assert edit.control("filename").value == "notes.txt"
    assert "file" not in {control.name for control in edit.controls}


@pytest.mark.parametrize("path", ["/-/", "/-/version"])
def test_pages_without_writes_have_only_the_account_forms(logged_in, path):
    assert set(forms_of(logged_in, path)) == {"logout"}


def test_a_typed_method_page_describes_it_and_offers_a_call_form(anonymous):
    description = anonymous.get("/-/api/testing/echo").json
    assert description["name"] == "testing.echo"
    assert set(description["actions"]["POST"]) >= {"flag", "count", "colour", "addresses"}
    call = forms_of(anonymous, "/-/api/testing/echo")["call"]
    assert (call.method, call.attributes["data-then"]) == ("POST", "result")
    kinds = {name: call.control(name).type for name in ("flag", "count", "ratio", "name", "colour", "when")}
    assert kinds == {
        "flag": "checkbox",
        "count": "number",
        "ratio": "number",
        "name": "text",
        "colour": "select",
        "when": "number",
    }
    # A required choice without a default starts unchosen: the caller must pick one.
    assert call.control("colour").value == ""
    assert call.control("count").attributes["step"] == "1"


def test_the_call_form_sends_what_the_method_takes(anonymous):
    call = forms_of(anonymous, "/-/api/testing/echo")["call"]
    filled = {"count": "3", "ratio": "0.5", "price": "1.25", "name": "Ada", "data": "aGk=", "when": "0"}
    filled |= {"colour": "GREEN"}
    fields = [(name, filled.get(name, value)) for name, value in call.fields()]
    result = anonymous.post(call.action, urlencode([*fields, ("tags", "a")]), content_type=FORM).json
    assert (result["flag"], result["count"], result["colour"], result["tags"]) == (False, 3, "GREEN", ["a"])
    # Optional objects left empty are not sent: they are None, not objects of empty strings.
    assert (result["address"], result["nothing"]) == (None, None)


def test_a_method_the_caller_may_not_call_has_no_call_form(anonymous, logged_in):
    assert "call" not in forms_of(anonymous, "/-/api/documents/tag")
    assert "call" in forms_of(logged_in, "/-/api/documents/tag")


def test_labels_are_the_titles_the_schema_gives(logged_in):
    edit = forms_of(logged_in, "/-/userprofile")["edit"]
    assert edit.labels["edit--firstname"] == "First name"
    assert edit.control("firstname").value == "Ada"
