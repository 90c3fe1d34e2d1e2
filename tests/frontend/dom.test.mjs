// dom.js's h() refuses links that would run a script, whatever the data says.
// No page here: the checks happen before the element is used, on a stand-in document.
import { test } from "node:test";
import assert from "node:assert/strict";

globalThis.document ??= {
  createElement: (tag) => ({
    tag,
    attributes: {},
    setAttribute(name, value) {
      this.attributes[name] = value;
    },
    addEventListener() {},
    append() {},
  }),
};

const { h } = await import("../../frontend/dom.js");

test("web addresses and blob: previews are links", () => {
  for (const href of ["/files/abc", "https://api.example.org/-/files/abc/data", "?page=2", "blob:http://localhost/1"]) {
    assert.equal(h("a", { href }).attributes.href, href);
  }
});

test("a javascript: or data: address is refused", () => {
  for (const href of ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>1</script>"]) {
    assert.throws(() => h("a", { href }), /not a link to follow/);
  }
  assert.throws(() => h("img", { src: "javascript:alert(1)" }), /not a link to follow/);
});
