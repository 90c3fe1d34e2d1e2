import re

import pytest
from pyramid import testing

from backrest.formats.html import linked_json, render_page

URL = "https://api.example.com/-/documents/abc"
ITEM = {
    "title": "Hello",
    "public": True,
    "tags": ["a", "b"],
    "attributes": {"color": "red", "priority": 2},
    "__meta__": {"id": "abc", "url": URL, "permissions": ["view", "edit", "delete"]},
}
PAGE = {"count": 1, "next": URL + "?page=2", "previous": None, "results": [ITEM]}


def make_request(**kwargs):
    return testing.DummyRequest(path="/-/documents/", matched_route=None, **kwargs)


def page(data, request=None):
    return render_page(data, request or make_request())


# Escaping


def test_values_are_escaped_in_the_document():
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


# Pages of a list


def test_a_list_page_links_its_neighbours_and_says_where_it_stands():
    html = page(PAGE, make_request(params={"page": "1"}))
    assert f'<a href="{URL}?page=2" rel="next">Next page</a>' in html
    assert "Page 1 · 1 object in all" in html
    assert 'rel="prev"' not in html


def test_other_documents_have_no_page_links():
    assert 'class="pages"' not in page(ITEM)
