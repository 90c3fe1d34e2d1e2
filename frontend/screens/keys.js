/**
 * Credentials: the caller's personal API keys (`/keys`) and the applications
 * they authorized through OAuth (`/account/applications`).
 *
 * The list of keys with its "Revoke" buttons, the form that makes a key and
 * the new credential, shown once, are {@link keyArea}: a team's keys use it
 * too, on the team's page.
 */

import { ApiError } from "../api.js";
import { checkboxField, field, h, when } from "../dom.js";
import { readForm } from "../forms.js";
import { confirmAction, notify, onClick, onSubmit, withReauth } from "../ui.js";

/** What each scope lets a key do, for the scopes the API names. */
const SCOPE_MEANINGS = {
  read: "view what it may see",
  write: "create, change and delete",
};

const UNCONFIRMED = "Confirm your email address first: open the link we mailed you, or have a new one sent.";

/**
 * The same failure, told in a person's words when it is about their
 * unconfirmed address (a 403 named `email_verified`), which the API explains
 * to programmers.
 *
 * @param {unknown} error
 * @returns {unknown}
 */
export function aboutUnconfirmedAddress(error) {
  if (!(error instanceof ApiError) || !error.errors.some((detail) => detail.name === "email_verified")) return error;
  const errors = error.errors.map((detail) =>
    detail.name === "email_verified" ? { ...detail, description: UNCONFIRMED } : detail,
  );
  return new ApiError(error.message, { status: error.status, errors, requestId: error.requestId });
}

/**
 * A notice for a person whose address is not confirmed yet, with the way to
 * have a new link sent; null once it is confirmed.
 *
 * @param {{email_verified?: boolean}} caller `session.caller`.
 * @param {string} what What they cannot do until then: "make API keys".
 * @returns {HTMLElement|null}
 */
export function unconfirmedNotice(caller, what) {
  if (caller.email_verified !== false) return null;
  return h(
    "p",
    { class: "form-errors" },
    `Your email address is not confirmed yet: you cannot ${what} until it is. `,
    h("a", { href: "/confirm/resend" }, "Send the confirmation link again"),
  );
}

/** A key's expiry date (`YYYY-MM-DD`, the person's own day) as the API's time: the end of that day. */
function endOfDay(date) {
  return new Date(`${date}T23:59:59.999`).toISOString();
}

/** Today in the person's own zone, as a date input's value. */
function today() {
  const now = new Date();
  const pad = (number) => String(number).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function scopeBox(scope) {
  const box = h("input", { type: "checkbox", value: scope, checked: true, "data-scope": "" });
  box.defaultChecked = true;
  const meaning = SCOPE_MEANINGS[scope];
  return checkboxField(meaning ? `${scope}: ${meaning}` : scope, box);
}

function keyForm(scopes) {
  const name = h("input", { name: "name", maxlength: 100, autocomplete: "off", "data-omit-empty": true });
  const expires = h("input", { name: "expires", type: "date", min: today(), "data-omit-empty": true });
  return h(
    "form",
    {},
    field("Key name", name, "What the key is for: where it will be used."),
    h("fieldset", {}, h("legend", {}, "Scopes"), scopes.map(scopeBox)),
    field("Expires", expires, "Optional: the key stops working at the end of this day. Empty: it never expires."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create key")),
  );
}

/** The body that makes a key, from its form. */
function keyBody(form) {
  const body = readForm(form);
  if (body.expires) body.expires = endOfDay(body.expires);
  body.scopes = [...form.querySelectorAll("input[data-scope]")].filter((box) => box.checked).map((box) => box.value);
  return body;
}

/** The credential of a key just made, with a "Copy" button: the only time anyone sees it. */
function credentialBox(made, level) {
  const secret = h("p", { class: "secret" }, made.key);
  const heading = h(`h${level}`, { tabindex: "-1" }, made.name ? `Your new key “${made.name}”` : "Your new key");
  const copy = h("button", { type: "button", class: "secondary" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(made.key);
      notify("Copied.");
    } catch {
      window.getSelection()?.selectAllChildren(secret);
      notify("Copying did not work here: the key is selected, copy it with your keyboard or menu.");
    }
  });
  const box = h(
    "div",
    { "data-key": made.id },
    heading,
    h("p", {}, h("strong", {}, "Copy it now: it will not be shown again."), " Keep it as you keep a password; whoever has it can act with it."),
    secret,
    h("div", { class: "actions" }, copy),
  );
  return { box, heading };
}

function keyLabel(key) {
  return key.name ? `“${key.name}”` : key.id;
}

function expiry(key) {
  if (!key.expires) return "never";
  const expired = new Date(key.expires) <= new Date();
  return [when(key.expires), expired ? " (expired)" : ""];
}

/**
 * The keys at `path` (a person's `/-/keys/`, a team's `/-/teams/{id}/keys/`):
 * their list with a "Revoke" button each, and the form that makes one, which
 * asks for the password again when the API wants it. A new key's credential
 * is shown once, under the form, and lives nowhere else.
 *
 * @param {ReturnType<import("../api.js").createApi>} api
 * @param {string} path The keys' collection, with its trailing slash.
 * @param {object} options
 * @param {number} options.level The level of the area's headings (2 on a page of its own, 3 in a section).
 * @param {string} options.empty What to say when there is no key.
 * @returns {Promise<HTMLElement>}
 */
export async function keyArea(api, path, { level, empty }) {
  const [listed, options] = await Promise.all([api.get(path), api.request("OPTIONS", path)]);
  const scopes = (options?.actions?.POST?.scopes?.choices ?? []).map((choice) => choice.value);
  const list = h("div", { tabindex: "-1" });
  const shown = h("div", {});
  const form = keyForm(scopes);

  const reload = async () => draw((await api.get(path)).results);
  const revokeButton = (key) => {
    const button = h("button", { type: "button", class: "danger", "aria-label": `Revoke ${keyLabel(key)}` }, "Revoke");
    return onClick(button, async () => {
      if (!(await confirmAction(`Revoke the key ${keyLabel(key)}?`, "Revoke"))) return;
      await api.delete(`${path}${encodeURIComponent(key.id)}`);
      if (shown.querySelector(`[data-key="${CSS.escape(key.id)}"]`)) shown.replaceChildren();
      await reload();
      notify(`The key ${keyLabel(key)} is revoked: it no longer works.`);
      list.focus();
    });
  };
  const draw = (keys) => {
    if (keys.length === 0) {
      list.replaceChildren(h("p", { class: "muted" }, empty));
      return;
    }
    const head = ["Name", "Key ID", "Scopes", "Expires", "Created", "Last used", "Actions"];
    list.replaceChildren(
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, head.map((name) => h("th", { scope: "col" }, name)))),
        h(
          "tbody",
          {},
          keys.map((key) =>
            h(
              "tr",
              {},
              h("td", {}, key.name || h("span", { class: "muted" }, "No name")),
              h("td", {}, h("code", {}, key.id)),
              h("td", {}, key.scopes.join(", ")),
              h("td", {}, expiry(key)),
              h("td", {}, when(key.created)),
              h("td", {}, when(key.last_used)),
              h("td", {}, revokeButton(key)),
            ),
          ),
        ),
      ),
    );
  };
  draw(listed.results);

  onSubmit(form, async () => {
    const body = keyBody(form);
    let made;
    try {
      made = await withReauth(api, () => api.post(path, body));
    } catch (error) {
      if (error instanceof ApiError && error.reauthenticationRequired) {
        throw new ApiError(error.message, {
          status: error.status,
          errors: [{ location: "request", name: null, description: "Making a key takes your password: try again and enter it." }],
        });
      }
      throw aboutUnconfirmedAddress(error);
    }
    form.reset();
    const { box, heading } = credentialBox(made, level);
    shown.replaceChildren(box);
    heading.focus();
    await reload();
  });
  return h("div", {}, list, h(`h${level}`, {}, "Make a key"), form, shown);
}

async function keys({ api, session }) {
  return h(
    "section",
    {},
    h("h1", {}, "API keys"),
    h(
      "p",
      {},
      "Scripts and other programs use a key to act for you: send it as ",
      h("code", {}, "Authorization: Token KEY"),
      ". A key never manages your account. Revoke a key you no longer use, or one that was seen by someone else.",
    ),
    unconfirmedNotice(session.caller, "make API keys"),
    h("h2", {}, "Your keys"),
    await keyArea(api, "/-/keys/", { level: 2, empty: "You have no API key." }),
  );
}

async function applications({ api }) {
  const list = h("div", { tabindex: "-1" });
  const reload = async () => draw((await api.get("/-/authorizations/")).results);
  const revokeButton = (authorization) => {
    const { name } = authorization.application;
    const button = h("button", { type: "button", class: "danger", "aria-label": `Revoke ${name}` }, "Revoke");
    return onClick(button, async () => {
      if (!(await confirmAction(`Revoke the access of ${name}?`, "Revoke"))) return;
      await api.delete(`/-/authorizations/${encodeURIComponent(authorization.id)}`);
      await reload();
      notify(`${name} can no longer use your account.`);
      list.focus();
    });
  };
  const draw = (authorizations) => {
    if (authorizations.length === 0) {
      list.replaceChildren(
        h(
          "p",
          { class: "muted" },
          "You have not authorized any application. When an application asks to use your account and you allow it, it is listed here.",
        ),
      );
      return;
    }
    const head = ["Application", "Scopes", "Authorized", "Last used", "Actions"];
    list.replaceChildren(
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, head.map((name) => h("th", { scope: "col" }, name)))),
        h(
          "tbody",
          {},
          authorizations.map((authorization) =>
            h(
              "tr",
              {},
              h("td", {}, authorization.application.name),
              h("td", {}, authorization.scopes.join(", ")),
              h("td", {}, when(authorization.created)),
              h("td", {}, when(authorization.last_used)),
              h("td", {}, revokeButton(authorization)),
            ),
          ),
        ),
      ),
    );
  };
  draw((await api.get("/-/authorizations/")).results);
  return h(
    "section",
    {},
    h("h1", {}, "Applications you authorized"),
    h("p", {}, "These applications may act for you, within the scopes you allowed. Revoking one ends its access at once."),
    list,
    h("p", {}, h("a", { href: "/account" }, "Back to your account")),
  );
}

/** @type {import("../router.js").Route[]} */
export const routes = [
  { path: "/keys", screen: keys, signedIn: true },
  { path: "/account/applications", screen: applications, signedIn: true },
];
