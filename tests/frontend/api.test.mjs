// Unit tests of frontend/api.js with fake fetch and XMLHttpRequest: no network.
// Run with `node --test frontend/tests/`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { ApiError, createApi } from "../../frontend/api.js";

const BASE = "https://api.example.org";

/** A JSON answer, as the API sends it. */
function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** An answer without a body (204, 304). */
function empty(status, headers = {}) {
  return new Response(null, { status, headers });
}

/**
 * A fake fetch answering from a queue: each entry is a Response, or an Error
 * to reject with. Records each call with its headers as a `Headers`.
 */
function fakeFetch(...answers) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    calls.push({ url, method: init.method, init, body, headers: new Headers(init.headers) });
    const next = answers.shift();
    assert.ok(next !== undefined, `unexpected request ${init.method} ${url}`);
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch, calls };
}

/** A fake XMLHttpRequest class; its instances are driven by the test (progress, respond, fail). */
function fakeXhrClass() {
  class FakeXHR {
    static instances = [];

    constructor() {
      this.requestHeaders = new Headers();
      this.upload = {};
      this.aborted = false;
      this.withCredentials = false;
      FakeXHR.instances.push(this);
    }

    open(method, url) {
      this.method = method;
      this.url = url;
    }

    setRequestHeader(name, value) {
      this.requestHeaders.set(name, value);
    }

    send(body) {
      this.sent = true;
      this.body = body;
    }

    abort() {
      this.aborted = true;
    }

    getResponseHeader(name) {
      return this.responseHeaders.get(name);
    }

    progress(loaded, total) {
      this.upload.onprogress?.({ lengthComputable: true, loaded, total });
    }

    respond(status, body, headers = {}) {
      this.status = status;
      this.statusText = "";
      this.responseText = typeof body === "string" ? body : JSON.stringify(body);
      this.responseHeaders = new Headers(headers);
      this.onload();
    }

    fail() {
      this.onerror();
    }
  }
  return FakeXHR;
}

/** The rejection of `promise`, which must reject. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected the promise to reject");
}

describe("CSRF token", () => {
  test("is taken from the login status and sent on unsafe methods only", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { status: "success" }), // POST before any status: no token yet
      json(200, { authenticated: true, id: "u1", email: "a@example.org", csrf_token: "tok-status" }),
      json(200, {}),
      json(200, {}),
      json(201, {}),
      json(200, {}),
      json(200, {}),
      empty(204),
      json(200, {}),
    );
    const api = createApi({ baseUrl: BASE, fetch });

    await api.post("/-/documents/", { title: "before" });
    const status = await api.loginStatus();
    await api.get("/-/documents/");
    await api.request("OPTIONS", "/-/documents/");
    await api.post("/-/documents/", { title: "x" });
    await api.put("/-/documents/a", { title: "y" });
    await api.patch("/-/documents/a", { title: "z" });
    await api.delete("/-/documents/a");
    await api.request("post", "/-/api/documents/tag", { body: {} });

    assert.equal(status.csrf_token, "tok-status");
    assert.equal(calls[1].url, `${BASE}/-/login`);
    assert.equal(calls[1].method, "GET");
    const sent = calls.map((call) => [call.method, call.headers.get("X-CSRF-Token")]);
    assert.deepEqual(sent, [
      ["POST", null],
      ["GET", null],
      ["GET", null],
      ["OPTIONS", null],
      ["POST", "tok-status"],
      ["PUT", "tok-status"],
      ["PATCH", "tok-status"],
      ["DELETE", "tok-status"],
      ["POST", "tok-status"],
    ]);
  });

  test("goes to the API's origin only, never with an absolute URL elsewhere", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { authenticated: true, csrf_token: "tok" }),
      json(200, {}),
      json(200, {}),
    );
    const api = createApi({ baseUrl: BASE, fetch });

    await api.loginStatus();
    await api.post(`${BASE}/-/documents/`, {});
    await api.post("https://elsewhere.example/hook", {});

    assert.equal(calls[1].headers.get("X-CSRF-Token"), "tok");
    assert.equal(calls[2].headers.has("X-CSRF-Token"), false);
  });

  test("is taken from the login answer", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { status: "success", csrf_token: "tok-login" }),
      json(200, { title: "t" }),
    );
    const api = createApi({ fetch });

    const answer = await api.login("a@example.org", "correct horse battery");
    await api.put("/-/documents/a", { title: "t" });

    assert.deepEqual(answer, { status: "success", csrf_token: "tok-login" });
    assert.equal(calls[0].method, "PUT");
    assert.equal(calls[0].url, "/-/login");
    assert.deepEqual(calls[0].body, { login: "a@example.org", password: "correct horse battery" });
    assert.equal(calls.length, 2, "no status request when the login answer carries the token");
    assert.equal(calls[1].headers.get("X-CSRF-Token"), "tok-login");
  });

  test("is asked from GET /-/login when the login answer has none", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { status: "success" }),
      json(200, { authenticated: true, csrf_token: "tok-after" }),
      json(201, {}),
    );
    const api = createApi({ fetch });

    await api.login("a@example.org", "correct horse battery");
    await api.post("/-/documents/", {});

    assert.deepEqual(
      calls.map((call) => `${call.method} ${call.url}`),
      ["PUT /-/login", "GET /-/login", "POST /-/documents/"],
    );
    assert.equal(calls[2].headers.get("X-CSRF-Token"), "tok-after");
  });

  test("is replaced by the one an account service answers for a new session", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { authenticated: true, csrf_token: "old" }),
      json(200, { status: "success", csrf_token: "new" }),
      json(200, {}),
    );
    const api = createApi({ fetch });

    await api.loginStatus();
    await api.request("PUT", "/-/password", { body: { current: "a", password: "b" } });
    await api.put("/-/userprofile", { firstname: "A" });

    assert.equal(calls[1].headers.get("X-CSRF-Token"), "old");
    assert.equal(calls[2].headers.get("X-CSRF-Token"), "new");
  });

  test("is not sent when the status has no session (empty token)", async () => {
    const { fetch, calls } = fakeFetch(json(200, { authenticated: false, csrf_token: "" }), json(201, {}));
    const api = createApi({ fetch });

    await api.loginStatus();
    await api.post("/-/signup", { email: "a@example.org", password: "correct horse battery" });

    assert.equal(calls[1].headers.has("X-CSRF-Token"), false);
  });

  test("is forgotten after logout, with the remembered ETags", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { status: "success", csrf_token: "tok" }),
      json(200, { title: "t" }, { ETag: '"v1"' }),
      json(200, { status: "success" }),
      json(201, {}),
      json(200, {}),
    );
    const api = createApi({ fetch });

    await api.login("a@example.org", "correct horse battery");
    await api.get("/-/documents/a");
    await api.logout();
    await api.post("/-/documents/", {});
    await api.put("/-/documents/a", { title: "t" });

    assert.equal(calls[2].method, "PUT");
    assert.equal(calls[2].url, "/-/logout");
    assert.deepEqual(calls[2].body, {});
    assert.equal(calls[2].headers.get("X-CSRF-Token"), "tok", "logout itself carries the token");
    assert.equal(calls[3].headers.has("X-CSRF-Token"), false);
    assert.equal(calls[4].headers.has("If-Match"), false);
  });

  test("is kept when logout fails, so that it can be tried again", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { authenticated: true, csrf_token: "tok" }),
      new TypeError("Failed to fetch"),
      json(200, { status: "success" }),
    );
    const api = createApi({ fetch });

    await api.loginStatus();
    await rejection(api.logout());
    await api.logout();

    assert.equal(calls[2].headers.get("X-CSRF-Token"), "tok");
  });
});

describe("requests", () => {
  test("include credentials and ask for JSON; JSON bodies say so", async () => {
    const { fetch, calls } = fakeFetch(json(200, { results: [] }), json(201, { title: "x" }));
    const api = createApi({ baseUrl: BASE, fetch });

    await api.get("/-/documents/");
    const created = await api.post("/-/documents/", { title: "x" });

    assert.deepEqual(created, { title: "x" });
    for (const call of calls) {
      assert.equal(call.init.credentials, "include");
      assert.equal(call.headers.get("Accept"), "application/json");
    }
    assert.equal(calls[0].url, `${BASE}/-/documents/`);
    assert.equal(calls[0].init.body, undefined);
    assert.equal(calls[0].headers.has("Content-Type"), false);
    assert.equal(calls[1].headers.get("Content-Type"), "application/json");
    assert.deepEqual(calls[1].body, { title: "x" });
  });

  test("use absolute URLs (next links) as they are", async () => {
    const { fetch, calls } = fakeFetch(json(200, { results: [] }));
    const api = createApi({ baseUrl: BASE, fetch });

    await api.get(`${BASE}/-/documents/?page=2`);

    assert.equal(calls[0].url, `${BASE}/-/documents/?page=2`);
  });

  test("answer null for 204", async () => {
    const { fetch } = fakeFetch(empty(204));
    const api = createApi({ fetch });

    assert.equal(await api.delete("/-/documents/a"), null);
  });
});

describe("errors", () => {
  test("carry the error list and field errors by name, dotted names kept", async () => {
    const errors = [
      { location: "body", name: "title", description: "Required" },
      { location: "body", name: "attributes.color", description: "Not a color" },
      { location: "body", name: "attributes.color", description: "Too long" },
      { location: "querystring", name: "page", description: "Not a number" },
    ];
    const { fetch } = fakeFetch(json(400, { status: "error", errors }));
    const api = createApi({ fetch });

    const error = await rejection(api.post("/-/documents/", {}));

    assert.ok(error instanceof ApiError);
    assert.ok(error instanceof Error);
    assert.equal(error.status, 400);
    assert.deepEqual(error.errors, errors);
    assert.deepEqual(error.fieldErrors, {
      title: ["Required"],
      "attributes.color": ["Not a color", "Too long"],
    });
    assert.equal(error.conflict, false);
    assert.equal(error.reauthenticationRequired, false);
    assert.equal(error.offline, false);
    assert.equal(error.retryAfter, null);
    assert.match(error.message, /400/);
    assert.match(error.message, /attributes\.color: Not a color/);
  });

  test("survive a body that is not JSON", async () => {
    const { fetch } = fakeFetch(
      new Response("<html><body>Bad gateway</body></html>", {
        status: 502,
        statusText: "Bad Gateway",
        headers: { "Content-Type": "text/html" },
      }),
    );
    const api = createApi({ fetch });

    const error = await rejection(api.get("/-/documents/"));

    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 502);
    assert.deepEqual(error.errors, []);
    assert.deepEqual(error.fieldErrors, {});
    assert.equal(error.message, "502 Bad Gateway");
  });

  test("survive JSON of another shape", async () => {
    const { fetch } = fakeFetch(json(500, ["not", "the", "shape"]), json(400, { errors: [null, "x"] }));
    const api = createApi({ fetch });

    const first = await rejection(api.get("/-/a"));
    const second = await rejection(api.get("/-/b"));

    assert.equal(first.status, 500);
    assert.deepEqual(first.errors, []);
    assert.deepEqual(second.errors, []);
  });

  test("429 carries Retry-After given in seconds", async () => {
    const { fetch } = fakeFetch(
      json(429, { status: "error", errors: [{ location: "request", name: "throttled", description: "Slow down" }] }, {
        "Retry-After": "120",
      }),
    );
    const api = createApi({ fetch });

    const error = await rejection(api.get("/-/documents/"));

    assert.equal(error.status, 429);
    assert.equal(error.retryAfter, 120);
  });

  test("429 carries Retry-After given as an HTTP-date", async () => {
    const later = new Date(Date.now() + 90_000).toUTCString();
    const past = new Date(Date.now() - 90_000).toUTCString();
    const { fetch } = fakeFetch(
      json(429, { status: "error", errors: [] }, { "Retry-After": later }),
      json(429, { status: "error", errors: [] }, { "Retry-After": past }),
    );
    const api = createApi({ fetch });

    const error = await rejection(api.get("/-/documents/"));
    const late = await rejection(api.get("/-/documents/"));

    assert.ok(error.retryAfter >= 88 && error.retryAfter <= 90, `retryAfter ${error.retryAfter}`);
    assert.equal(late.retryAfter, 0);
  });

  test("flag the reauthentication error", async () => {
    const reauth = { location: "request", name: "reauthentication", description: "Confirm your password first" };
    const auth = { location: "header", name: "Authorization", description: "Authentication is required." };
    const { fetch } = fakeFetch(
      json(401, { status: "error", errors: [reauth] }),
      json(401, { status: "error", errors: [auth] }),
    );
    const api = createApi({ fetch });

    const stale = await rejection(api.request("DELETE", "/-/sessions/"));
    const anonymous = await rejection(api.get("/-/userprofile"));

    assert.equal(stale.status, 401);
    assert.equal(stale.reauthenticationRequired, true);
    assert.equal(anonymous.reauthenticationRequired, false);
  });

  test("carry the request id from X-Request-Id, else from the body", async () => {
    const serverError = { location: "request", name: "server_error", description: "The server failed to answer." };
    const { fetch } = fakeFetch(
      json(500, { status: "error", errors: [serverError], request_id: "body-id" }, { "X-Request-Id": "req-123" }),
      json(500, { status: "error", errors: [serverError], request_id: "body-id" }),
    );
    const api = createApi({ fetch });

    const withHeader = await rejection(api.get("/-/a"));
    const withBody = await rejection(api.get("/-/a"));

    assert.equal(withHeader.requestId, "req-123");
    assert.match(withHeader.message, /req-123/);
    assert.equal(withBody.requestId, "body-id");
  });

  test("412 is a conflict", async () => {
    const { fetch } = fakeFetch(
      json(412, { status: "error", errors: [{ location: "header", name: "If-Match", description: "Changed" }] }),
    );
    const api = createApi({ fetch });

    const error = await rejection(api.put("/-/documents/a", { title: "t" }));

    assert.equal(error.status, 412);
    assert.equal(error.conflict, true);
  });

  test("a fetch that rejects is offline, status 0", async () => {
    const cause = new TypeError("Failed to fetch");
    const { fetch } = fakeFetch(cause);
    const api = createApi({ fetch });

    const error = await rejection(api.get("/-/documents/"));

    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 0);
    assert.equal(error.offline, true);
    assert.equal(error.aborted, false);
    assert.equal(error.cause, cause);
  });

  test("a cancelled fetch is aborted, not offline", async () => {
    const { fetch } = fakeFetch(new DOMException("The operation was aborted.", "AbortError"));
    const api = createApi({ fetch });

    const error = await rejection(api.get("/-/documents/", { signal: AbortSignal.abort() }));

    assert.ok(error instanceof ApiError);
    assert.equal(error.name, "AbortError");
    assert.equal(error.aborted, true);
    assert.equal(error.offline, false);
  });
});

describe("ETags", () => {
  test("refresh sends If-None-Match and reuses the body on 304", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { title: "one" }, { ETag: '"v1"' }),
      empty(304, { ETag: '"v1"' }),
      json(200, { title: "two" }, { ETag: '"v2"' }),
      empty(304),
    );
    const api = createApi({ fetch });

    const first = await api.get("/-/documents/a");
    const same = await api.refresh("/-/documents/a");
    const changed = await api.refresh("/-/documents/a");
    const again = await api.refresh("/-/documents/a");

    assert.equal(calls[0].headers.has("If-None-Match"), false);
    assert.equal(calls[1].headers.get("If-None-Match"), '"v1"');
    assert.equal(same.unchanged, true);
    assert.equal(same.data, first, "the very object read before");
    assert.deepEqual(changed, { data: { title: "two" }, unchanged: false });
    assert.equal(calls[3].headers.get("If-None-Match"), '"v2"');
    assert.deepEqual(again, { data: { title: "two" }, unchanged: true });
  });

  test("are forgotten on login: another user's bodies are never reused", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { title: "one", __meta__: { permissions: ["view", "edit"] } }, { ETag: '"v1"' }),
      json(200, { status: "success", csrf_token: "tok-b" }),
      json(200, { title: "one", __meta__: { permissions: ["view"] } }, { ETag: '"v1"' }),
    );
    const api = createApi({ fetch });

    await api.get("/-/documents/a");
    await api.login("b@example.org", "correct horse battery");
    const answer = await api.refresh("/-/documents/a");

    assert.equal(calls[2].headers.has("If-None-Match"), false);
    assert.deepEqual(answer.data.__meta__.permissions, ["view"]);
  });

  test("refresh of a URL never read is a plain GET", async () => {
    const { fetch, calls } = fakeFetch(json(200, { title: "one" }, { ETag: '"v1"' }));
    const api = createApi({ fetch });

    const answer = await api.refresh("/-/documents/a");

    assert.equal(calls[0].headers.has("If-None-Match"), false);
    assert.deepEqual(answer, { data: { title: "one" }, unchanged: false });
  });

  test("are remembered per URL, query included", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { results: [] }, { ETag: '"p1"' }),
      json(200, { results: [] }, { ETag: '"p2"' }),
      empty(304),
      empty(304),
    );
    const api = createApi({ fetch });

    await api.get("/-/documents/?page=1");
    await api.get("/-/documents/?page=2");
    await api.refresh("/-/documents/?page=2");
    await api.refresh("/-/documents/?page=1");

    assert.equal(calls[2].headers.get("If-None-Match"), '"p2"');
    assert.equal(calls[3].headers.get("If-None-Match"), '"p1"');
  });

  test("writes send If-Match with the known ETag and remember the new one", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { title: "one" }, { ETag: '"v1"' }),
      json(200, { title: "two" }, { ETag: '"v2"' }),
      json(200, { title: "three" }, { ETag: '"v3"' }),
      empty(204),
      json(200, { title: "four" }),
      json(200, { title: "other" }),
    );
    const api = createApi({ fetch });

    await api.get("/-/documents/a");
    const updated = await api.put("/-/documents/a", { title: "two" });
    await api.patch("/-/documents/a", { title: "three" });
    await api.delete("/-/documents/a");
    await api.put("/-/documents/a", { title: "four" });
    await api.put("/-/documents/b", { title: "other" });

    assert.deepEqual(updated, { title: "two" });
    assert.equal(calls[1].headers.get("If-Match"), '"v1"');
    assert.equal(calls[2].headers.get("If-Match"), '"v2"');
    assert.equal(calls[3].headers.get("If-Match"), '"v3"');
    assert.equal(calls[4].headers.has("If-Match"), false, "forgotten after DELETE");
    assert.equal(calls[5].headers.has("If-Match"), false, "never read");
  });

  test("keeps the ETags of the most recent URLs only", async () => {
    const answers = [];
    for (let n = 0; n <= 200; n += 1) answers.push(json(200, { n }, { ETag: `"v${n}"` }));
    answers.push(empty(304), json(200, { n: 0 }, { ETag: '"v0"' }));
    const { fetch, calls } = fakeFetch(...answers);
    const api = createApi({ fetch });

    for (let n = 0; n <= 200; n += 1) await api.get(`/-/documents/?page=${n + 1}`);
    await api.refresh("/-/documents/?page=201");
    await api.refresh("/-/documents/?page=1");

    assert.equal(calls[201].headers.get("If-None-Match"), '"v200"');
    assert.equal(calls[202].headers.has("If-None-Match"), false, "the oldest was forgotten");
  });

  test("overwrite matches any version: If-Match *", async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { title: "one" }, { ETag: '"v1"' }),
      json(200, { title: "mine" }, { ETag: '"v2"' }),
      empty(204),
    );
    const api = createApi({ fetch });

    await api.get("/-/documents/a");
    await api.put("/-/documents/a", { title: "mine" }, { overwrite: true });
    await api.delete("/-/documents/a", { overwrite: true });

    assert.equal(calls[1].headers.get("If-Match"), "*");
    assert.equal(calls[2].headers.get("If-Match"), "*");
  });
});

describe("upload", () => {
  test("reports progress up to exactly 1 and answers the parsed body", async () => {
    const XHR = fakeXhrClass();
    const api = createApi({ baseUrl: BASE, fetch: fakeFetch(json(200, { csrf_token: "tok" })).fetch, XMLHttpRequest: XHR });
    await api.loginStatus();
    const form = new FormData();
    form.append("file", new Blob(["hello"], { type: "text/plain" }), "hello.txt");
    form.append("title", "Hello");
    const fractions = [];

    const uploading = api.upload("/-/files/", form, { onProgress: (fraction) => fractions.push(fraction) });
    const [xhr] = XHR.instances;
    xhr.progress(25, 100);
    xhr.progress(60, 100);
    xhr.respond(201, { filename: "hello.txt", size: 5 }, { "Content-Type": "application/json" });
    const answer = await uploading;

    assert.deepEqual(answer, { filename: "hello.txt", size: 5 });
    assert.deepEqual(fractions, [0.25, 0.6, 1]);
    assert.equal(xhr.method, "POST");
    assert.equal(xhr.url, `${BASE}/-/files/`);
    assert.equal(xhr.withCredentials, true);
    assert.equal(xhr.requestHeaders.get("X-CSRF-Token"), "tok");
    assert.equal(xhr.requestHeaders.get("Accept"), "application/json");
    assert.equal(xhr.requestHeaders.has("Content-Type"), false, "the browser sets the multipart boundary");
    assert.equal(xhr.body, form);
  });

  test("a file posted goes in the file field; a file put is the raw body", async () => {
    const XHR = fakeXhrClass();
    const api = createApi({ fetch: fakeFetch(json(200, { csrf_token: "tok" })).fetch, XMLHttpRequest: XHR });
    await api.loginStatus();
    const file = new File(["data"], "notes.txt", { type: "text/plain" });

    const posting = api.upload("/-/files/", file);
    const putting = api.upload("/-/files/f1/data", file, { method: "put" });
    const [post, put] = XHR.instances;
    post.respond(201, { id: "f1" });
    put.respond(200, { id: "f1" });
    await Promise.all([posting, putting]);

    assert.ok(post.body instanceof FormData);
    const sent = post.body.get("file");
    assert.equal(sent.name, "notes.txt");
    assert.equal(await sent.text(), "data");
    assert.equal(put.method, "PUT");
    assert.equal(put.requestHeaders.get("X-CSRF-Token"), "tok");
    assert.equal(put.body, file);
    assert.equal(put.requestHeaders.get("Content-Type"), "text/plain");
  });

  test("errors are parsed like the others", async () => {
    const XHR = fakeXhrClass();
    const api = createApi({ XMLHttpRequest: XHR });
    const fractions = [];

    const uploading = api.upload("/-/files/", new Blob(["x"]), { onProgress: (f) => fractions.push(f) });
    XHR.instances[0].progress(1, 2);
    XHR.instances[0].respond(
      413,
      { status: "error", errors: [{ location: "body", name: "file", description: "Too large" }] },
      { "X-Request-Id": "up-1" },
    );
    const error = await rejection(uploading);

    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 413);
    assert.deepEqual(error.fieldErrors, { file: ["Too large"] });
    assert.equal(error.requestId, "up-1");
    assert.deepEqual(fractions, [0.5], "no 1 for a refused upload");
  });

  test("a non-JSON error answer and a network failure are ApiErrors", async () => {
    const XHR = fakeXhrClass();
    const api = createApi({ XMLHttpRequest: XHR });

    const refused = api.upload("/-/files/", new Blob(["x"]));
    XHR.instances[0].respond(502, "<html>Bad gateway</html>", { "Content-Type": "text/html" });
    const lost = api.upload("/-/files/", new Blob(["x"]));
    XHR.instances[1].fail();

    const badGateway = await rejection(refused);
    const offline = await rejection(lost);
    assert.equal(badGateway.status, 502);
    assert.deepEqual(badGateway.errors, []);
    assert.equal(offline.status, 0);
    assert.equal(offline.offline, true);
  });

  test("aborting the signal cancels the upload", async () => {
    const XHR = fakeXhrClass();
    const api = createApi({ XMLHttpRequest: XHR });
    const controller = new AbortController();

    const uploading = api.upload("/-/files/", new Blob(["x"]), { signal: controller.signal });
    controller.abort();
    const error = await rejection(uploading);

    assert.equal(XHR.instances[0].aborted, true);
    assert.ok(error instanceof ApiError);
    assert.equal(error.aborted, true);
    assert.equal(error.name, "AbortError");
    assert.equal(error.offline, false);
  });

  test("an already aborted signal sends nothing", async () => {
    const XHR = fakeXhrClass();
    const api = createApi({ XMLHttpRequest: XHR });

    const error = await rejection(api.upload("/-/files/", new Blob(["x"]), { signal: AbortSignal.abort() }));

    assert.equal(error.aborted, true);
    assert.equal(XHR.instances.some((xhr) => xhr.sent), false);
  });
});
