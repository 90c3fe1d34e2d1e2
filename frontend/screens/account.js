/**
 * Accounts: signup and its confirmation, login and logout, forgotten
 * passwords, the profile, password and address changes, sessions and the
 * account's deletion.
 *
 * Links in mails carry their token in the URL's fragment
 * (`/confirm#token=...`): browsers never send a fragment, so it reaches no
 * server's log. The screens take it from there, drop it from the address
 * bar and the history, and post it to the API.
 */

import { field, h, when } from "../dom.js";
import { takeToken } from "../router.js";
import { readForm } from "../forms.js";
import { confirmAction, describe, notify, onClick, onSubmit, replaceScreen, withReauth } from "../ui.js";

const PASSWORD_HINT = "At least 12 characters. A few unrelated words make a good one.";

/**
 * Where to go after login: `?next=/documents`, a screen of this app only.
 * Resolved as the browser will resolve it, so that `/\tevil.example` or
 * `//evil.example` cannot lead to another site.
 */
function nextPath(query) {
  try {
    const next = new URL(query.get("next") ?? "", window.location.origin);
    if (next.origin === window.location.origin && !next.pathname.startsWith("/-/")) {
      return next.pathname + next.search + next.hash;
    }
  } catch {
    // Not a URL at all: the default below.
  }
  return "/documents";
}

function input(name, type, props = {}) {
  return h("input", { name, type, ...props });
}

const email = (props = {}) => input("email", "email", { autocomplete: "email", required: true, ...props });
const newPassword = (name = "password") =>
  input(name, "password", { autocomplete: "new-password", required: true, minlength: 12 });
const currentPassword = (name = "password") =>
  input(name, "password", { autocomplete: "current-password", required: true });

function screen(title, ...content) {
  return h("section", {}, h("h1", {}, title), content);
}

function login({ api, session, query, navigate }) {
  const form = h(
    "form",
    {},
    field("Email", email({ name: "login", autocomplete: "username" })),
    field("Password", currentPassword()),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Log in")),
  );
  onSubmit(form, async (data) => {
    await api.login(data.get("login"), data.get("password"));
    await session.refresh();
    await navigate(nextPath(query));
  });
  return screen(
    "Log in",
    form,
    h(
      "ul",
      {},
      h("li", {}, h("a", { href: "/reset" }, "Forgot your password?")),
      h("li", {}, "No account yet? ", h("a", { href: "/signup" }, "Sign up")),
      h("li", {}, h("a", { href: "/confirm/resend" }, "Send the confirmation link again")),
    ),
  );
}

function checkMail(text) {
  return screen("Check your mail", h("p", {}, text));
}

function signup({ api }) {
  const form = h(
    "form",
    {},
    field("Email", email()),
    field("Password", newPassword(), PASSWORD_HINT),
    field("First name", input("firstname", "text", { autocomplete: "given-name", "data-omit-empty": true })),
    field("Last name", input("lastname", "text", { autocomplete: "family-name", "data-omit-empty": true })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Sign up")),
  );
  const section = screen("Sign up", form, h("p", {}, "Already have an account? ", h("a", { href: "/login" }, "Log in")));
  onSubmit(form, async () => {
    const data = readForm(form);
    await api.post("/-/signup", data);
    replaceScreen(section, checkMail(`We sent a link to ${data.email}. Open it to confirm your address, then log in.`));
  });
  return section;
}

/** The page of a confirmation link: signup or address change, the token knows which. */
function confirmation(title) {
  return async ({ api, session }) => {
    const token = takeToken();
    if (!token) return screen("This link is incomplete", h("p", {}, "Open the link from your mail as it is."));
    try {
      await api.post("/-/confirm/", { token });
    } catch (error) {
      return screen(
        "This link does not work",
        h("p", {}, describe(error)),
        h("p", {}, h("a", { href: "/confirm/resend" }, "Send a new link")),
      );
    }
    if (session.caller.authenticated) await session.refresh();
    return screen(
      title,
      h("p", {}, "Thank you. ", session.caller.authenticated ? h("a", { href: "/account" }, "Back to your account") : h("a", { href: "/login" }, "Log in")),
    );
  };
}

function resend({ api }) {
  const form = h(
    "form",
    {},
    field("Email", email()),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Send the link")),
  );
  const section = screen(
    "Send the confirmation link again",
    h("p", {}, "The link of an older mail stops working when a new one is sent."),
    form,
  );
  onSubmit(form, async (data) => {
    await api.post("/-/confirm/resend", { email: data.get("email") });
    replaceScreen(section, checkMail(`If ${data.get("email")} waits for a confirmation, a new link is on its way.`));
  });
  return section;
}

/** `/reset`: ask for a link; `/reset#token=...`: set the new password with it. */
function reset({ api, navigate }) {
  const token = takeToken();
  if (!token) {
    const form = h(
      "form",
      {},
      field("Email", email()),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Send a reset link")),
    );
    const section = screen("Reset your password", form);
    onSubmit(form, async (data) => {
      await api.post("/-/reset/", { email: data.get("email") });
      replaceScreen(section, checkMail(`If ${data.get("email")} has an account, a link to set a new password is on its way.`));
    });
    return section;
  }
  const form = h(
    "form",
    {},
    field("New password", newPassword(), PASSWORD_HINT),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Set the password")),
  );
  onSubmit(form, async (data) => {
    await api.put("/-/reset/", { token, password: data.get("password") });
    await navigate("/login");
    notify("Your password is set. Log in with it.");
  });
  return screen("Choose a new password", form);
}

async function account({ api, session }) {
  const profile = await api.get("/-/userprofile");
  const form = h(
    "form",
    {},
    field("First name", input("firstname", "text", { autocomplete: "given-name", value: profile.firstname ?? "" })),
    field("Last name", input("lastname", "text", { autocomplete: "family-name", value: profile.lastname ?? "" })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save")),
  );
  onSubmit(form, async () => {
    await api.put("/-/userprofile", readForm(form));
    await session.refresh();
    notify("Your profile is saved.");
  });
  return screen(
    "Your account",
    h(
      "p",
      {},
      `${profile.email} `,
      profile.email_verified
        ? h("span", { class: "muted" }, "(confirmed)")
        : [h("strong", {}, "(not confirmed yet)"), " ", h("a", { href: "/confirm/resend" }, "Send the link again")],
    ),
    h("p", { class: "muted" }, "Member since ", when(profile.created)),
    form,
    h("h2", {}, "Security"),
    h(
      "ul",
      {},
      h("li", {}, h("a", { href: "/account/password" }, "Change your password")),
      h("li", {}, h("a", { href: "/account/email" }, "Change your email address")),
      h("li", {}, h("a", { href: "/account/sessions" }, "Where you are logged in")),
      h("li", {}, h("a", { href: "/account/applications" }, "Applications you authorized")),
      h("li", {}, h("a", { href: "/account/delete" }, "Delete your account")),
    ),
  );
}

function password({ api }) {
  const form = h(
    "form",
    {},
    field("Current password", currentPassword("current")),
    field("New password", newPassword(), PASSWORD_HINT),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Change the password")),
  );
  onSubmit(form, async (data) => {
    await api.put("/-/password", { current: data.get("current"), password: data.get("password") });
    form.reset();
    notify("Your password is changed. Your other sessions have ended.");
  });
  return screen("Change your password", form);
}

function changeEmail({ api }) {
  const form = h(
    "form",
    {},
    field("New email", email()),
    field("Password", currentPassword()),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Change the address")),
  );
  onSubmit(form, async (data) => {
    await api.put("/-/email/", { email: data.get("email"), password: data.get("password") });
    form.reset();
    notify(`Open the link we sent to ${data.get("email")} to confirm it. Your address stays the same until then.`);
  });
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel a pending change");
  onClick(cancel, async () => {
    await api.delete("/-/email/");
    notify("No address change is pending now.");
  });
  return screen(
    "Change your email address",
    form,
    h("h2", {}, "Changed your mind?"),
    h("p", {}, "The link sent to the new address stops working."),
    h("div", { class: "actions" }, cancel),
  );
}

/** The "this wasn't me" link of the notice sent to the old address. */
function cancelEmail({ api, session }) {
  const token = takeToken();
  if (!token) return screen("This link is incomplete", h("p", {}, "Open the link from your mail as it is."));
  const form = h(
    "form",
    {},
    h("p", {}, "Someone asked to change the address of your account. If it was not you, stop it here: every session of the account ends, so whoever asked is logged out."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, "Stop the change")),
  );
  const section = screen("Stop the address change", form);
  onSubmit(form, async () => {
    await api.post("/-/email/cancel", { token });
    session.forget();
    replaceScreen(
      section,
      screen(
        "The change is stopped",
        h("p", {}, "Your address stays as it was. Someone may know your password: ", h("a", { href: "/reset" }, "set a new one"), "."),
      ),
    );
  });
  return section;
}

async function sessions({ api }) {
  const { results } = await api.get("/-/sessions");
  const endOthers = h("button", { type: "button", class: "danger" }, "End all other sessions");
  const actions = h("div", { class: "actions" }, endOthers);
  // Where the focus goes when the button that had it is gone with its session.
  const table = h(
    "table",
    { tabindex: "-1" },
    h("caption", {}, "Your sessions, this one included"),
    h(
      "thead",
      {},
      h("tr", {}, ["Device", "Address", "Started", "Last seen", ""].map((name) => h("th", { scope: "col" }, name))),
    ),
  );
  const ended = (rows) => {
    for (const row of rows) row.remove();
    if (!table.querySelector("tr[data-other]")) actions.remove();
    table.focus();
  };
  table.append(h("tbody", {}, results.map((row) => sessionRow(api, row, ended))));
  onClick(endOthers, async () => {
    if (!(await confirmAction("End every other session?", "End them"))) return;
    await withReauth(api, () => api.delete("/-/sessions/"));
    ended(table.querySelectorAll("tr[data-other]"));
    notify("Every other session has ended.");
  });
  return screen("Where you are logged in", table, results.length > 1 && actions);
}

function sessionRow(api, row, ended) {
  const device = row.user_agent || "Unknown device";
  const end = h("button", { type: "button", class: "secondary", "aria-label": `End this session (${device})` }, "End this session");
  const tr = h(
    "tr",
    row.current ? {} : { "data-other": "" },
    h("td", {}, device),
    h("td", {}, row.ip ?? ""),
    h("td", {}, when(row.created)),
    h("td", {}, when(row.last_seen)),
    h("td", {}, row.current ? h("strong", {}, "This session") : end),
  );
  onClick(end, async () => {
    await withReauth(api, () => api.delete(`/-/sessions/${encodeURIComponent(row.id)}`));
    ended([tr]);
    notify("The session has ended.");
  });
  return tr;
}

function deleteAccount({ api, session, navigate }) {
  const button = h("button", { type: "button", class: "danger" }, "Delete my account");
  onClick(button, async () => {
    if (!(await confirmAction("Delete your account for good?", "Delete it"))) return;
    await withReauth(api, () => api.delete("/-/userprofile"));
    session.forget();
    await navigate("/signup");
    notify("Your account is deleted. We sent a notice to your address.");
  });
  return screen(
    "Delete your account",
    h("p", {}, "Your sessions end, your API keys and the applications you authorized lose their access, and you cannot log in again. This cannot be undone."),
    h("div", { class: "actions" }, button),
  );
}

/** @type {import("../router.js").Route[]} */
export const routes = [
  { path: "/login", screen: login },
  { path: "/signup", screen: signup },
  { path: "/confirm", screen: confirmation("Address confirmed") },
  { path: "/confirm/resend", screen: resend },
  { path: "/reset", screen: reset },
  { path: "/email/confirm", screen: confirmation("New address confirmed") },
  { path: "/email/cancel", screen: cancelEmail },
  { path: "/account", screen: account, signedIn: true },
  { path: "/account/password", screen: password, signedIn: true },
  { path: "/account/email", screen: changeEmail, signedIn: true },
  { path: "/account/sessions", screen: sessions, signedIn: true },
  { path: "/account/delete", screen: deleteAccount, signedIn: true },
];
