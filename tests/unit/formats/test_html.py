import re

import colander
import pytest
from pyramid import testing

from backrest.formats.forms import decode_form
from backrest.formats.html import Input, data_inputs, linked_json, render_page, schema_inputs
from backrest.schema import Body, Flag, Integer, text_node

URL = "https://api.example.com/-/documents/abc"
ITEM = {
    "title": "Hello",
    "public": True,
    "tags": ["a", "b"],
    "attributes": {"color": "red", "priority": 2},
    "__meta__": {"id": "abc", "url": URL, "permissions": ["view", "edit", "delete"]},
}
PAGE = {"count": 1, "next": URL + "?page=2", "previous": None, "results": [ITEM]}


def make_request(forms=None, **kwargs):
    return testing.DummyRequest(browsable_forms=forms, path="/-/documents/", **kwargs)


def page(data, request=None):
    return render_page(data, request or make_request())


def form_fields(html: str, method: str) -> list[tuple[str, str]]:
    """The fields a browser would send from the form of ``method`` (checkboxes as checked)."""
    form = re.search(rf'<form [^>]*data-method="{method}".*?</form>', html).group()
    fields = []
    for tag in re.findall(r"<input [^>]*>", form):
        attributes = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag))
        if attributes["type"] == "checkbox" and " checked" not in tag:
            continue
        fields.append((attributes["name"], attributes["value"]))
    return fields


# Escaping


def test_values_are_escaped_in_the_document_and_the_forms():
    html = page({"title": "<script>alert(1)</script>", "__meta__": {"url": URL}})
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 1


def test_attribute_values_cannot_break_out():
    html = page({'a"><script>x</script>': '"><img src=x onerror=alert(1)>', "__meta__": {"url": URL}})
    assert "<img" not in html
    assert html.count("<script") == 1


def test_keys_are_escaped():
    assert "<b>" not in page({"<b>": 1})


def test_the_only_script_carries_the_nonce_of_the_policy():
    request = make_request()
    html = page(ITEM, request)
    policy = request.response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert re.findall(r"<script[^>]*>", html) == [f'<script nonce="{nonce}">']
    assert f'<style nonce="{nonce}">' in html
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "src=" not in html


def test_each_page_gets_a_fresh_nonce():
    first, second = make_request(), make_request()
    page(ITEM, first)
    page(ITEM, second)
    assert (
        first.response.headers["Content-Security-Policy"]
        != second.response.headers["Content-Security-Policy"]
    )


def test_lone_surrogates_do_not_break_the_page():
    assert "\\ud800" in page({"a": "\ud800"})


# Links


def test_absolute_urls_are_links():
    linked = linked_json(PAGE)
    assert f'<a href="{URL}?page=2">&#34;{URL}?page=2&#34;</a>' in linked
    assert f'<a href="{URL}">&#34;{URL}&#34;</a>' in linked


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", "/-/relative", "data:text/html,x", "https://a b", "http://", "mailto:a@b"],
)
def test_other_strings_are_not_links(value):
    assert "<a " not in linked_json({"url": value})


def test_link_targets_are_escaped():
    linked = linked_json({"url": 'https://x.example/"><script>'})
    assert "<script>" not in linked
    assert 'href="https://x.example/&#34;&gt;&lt;script&gt;"' in linked


def test_format_links_keep_the_query():
    html = page({}, make_request(params={"page": "2", "format": "api"}))
    assert 'href="http://example.com?page=2&amp;format=json"' in html


# Forms


def test_item_gets_put_and_delete_forms_to_its_url():
    html = page(ITEM)
    assert f'<form method="post" action="{URL}" data-method="PUT"' in html
    assert f'<form method="post" action="{URL}" data-method="DELETE"' in html
    assert 'data-method="POST"' not in html


def test_item_put_form_posts_back_the_representation():
    fields = form_fields(page(ITEM), "PUT")
    assert decode_form(fields) == {
        "title": "Hello",
        "public": ["false", "true"],
        "tags": ["a", "b"],
        "attributes": {"color": "red", "priority": "2"},
    }


def test_unchecked_boolean_sends_false():
    fields = form_fields(page({**ITEM, "public": False}), "PUT")
    assert decode_form(fields)["public"] == "false"


def test_empty_list_sends_the_marker():
    fields = form_fields(page({**ITEM, "tags": []}), "PUT")
    assert ("tags.", "") in fields
    assert decode_form(fields)["tags"] == []


def test_empty_object_sends_the_marker():
    fields = form_fields(page({**ITEM, "attributes": {}}), "PUT")
    assert ("attributes.", "") in fields
    assert Schema().deserialize(decode_form(fields))["attributes"] == {}


def test_null_is_an_empty_input():
    fields = form_fields(page({**ITEM, "folder": None}), "PUT")
    assert ("folder", "") in fields


def test_delete_form_has_no_fields():
    assert form_fields(page(ITEM), "DELETE") == []


def test_permissions_choose_the_forms():
    html = page({**ITEM, "__meta__": {**ITEM["__meta__"], "permissions": ["view"]}})
    assert "<form" not in html


def test_forms_send_back_the_etag():
    request = make_request()
    request.response.headers["ETag"] = '"v1"'
    assert 'data-if-match="&#34;v1&#34;"' in page(ITEM, request)


def test_collection_gets_a_blank_post_form_to_itself():
    html = page(PAGE)
    assert '<form method="post" action="http://example.com" data-method="POST"' in html
    assert 'data-method="PUT"' not in html
    fields = dict(form_fields(html, "POST"))
    assert fields["title"] == ""
    assert "public" in fields


def test_view_hints_can_leave_out_every_form():
    assert "<form" not in page(ITEM, make_request(forms={}))


def test_results_without_count_are_no_collection():
    assert "<form" not in page({"results": [ITEM["title"]]})


def test_other_documents_get_no_forms():
    assert "<form" not in page({"name": "backrest", "version": "1"})
    assert "<form" not in page(["a"])


class Attributes(Body):
    color = text_node(missing=colander.drop)
    priority = colander.SchemaNode(Integer(), missing=colander.drop)


class Schema(Body):
    title = text_node()
    public = colander.SchemaNode(Flag())
    tags = colander.SchemaNode(colander.Sequence(), text_node(name="tag"))
    attributes = Attributes()


def test_schema_hints_give_the_inputs():
    assert list(schema_inputs(Schema(), ITEM)) == [
        Input("title", "text", "Hello"),
        Input("public", "checkbox", True),
        Input("tags.", "marker", ""),
        Input("tags.0", "text", "a"),
        Input("tags.1", "text", "b"),
        Input("attributes.color", "text", "red"),
        Input("attributes.priority", "number", 2),
    ]


def test_view_hints_choose_forms_and_fields():
    html = page(PAGE, make_request(forms={"POST": Schema()}))
    fields = form_fields(html, "POST")
    assert [name for name, _ in fields] == [
        "title",
        "public",
        "tags.",
        "attributes.color",
        "attributes.priority",
    ]
    assert Schema().deserialize(decode_form([*fields, ("title", "New")]))["title"] == "New"


def test_view_hints_can_leave_out_forms():
    html = page(ITEM, make_request(forms={"DELETE": None}))
    assert 'data-method="PUT"' not in html
    assert 'data-method="DELETE"' in html


def test_data_inputs_leave_out_meta():
    assert [field.name for field in data_inputs(ITEM)] == [
        "title",
        "public",
        "tags.0",
        "tags.1",
        "attributes.color",
        "attributes.priority",
    ]
