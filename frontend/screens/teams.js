/**
 * Teams: the list of the caller's teams and the form that makes one
 * (`/teams`), one team's page (`/teams/:id`, in `teams-page.js`), and the
 * page of an invitation mail's link (`/teams/invitation#token=...`).
 *
 * The invitation's token comes in the URL's fragment, which no browser sends
 * to a server. The page takes it out of the address bar and the history at
 * once and keeps it in this tab's `sessionStorage` under
 * {@link INVITATION_KEY}, so that a person who must log in first comes back
 * to it (`/login?next=/teams/invitation`) without the token ever being in a URL.
 */

import { field, h } from "../dom.js";
import { readForm } from "../forms.js";
import { PAGE_SIZE, pageNumber, pager } from "../pages.js";
import { takeToken } from "../router.js";
import { notify, onSubmit } from "../ui.js";
import { aboutUnconfirmedAddress, unconfirmedNotice } from "./keys.js";
import { teamPage } from "./teams-page.js";

/** Where this tab keeps an invitation's token until it is accepted. */
export const INVITATION_KEY = "backrest.teamInvitationToken";

const teamUrl = (team) => `/teams/${encodeURIComponent(team.__meta__.id)}`;

function teamTable(teams, caller) {
  const role = (team) => {
    if (team.__meta__.permissions.includes("edit")) return "Manager";
    return team.members.some((member) => member.id === caller.id) ? "Member" : "Viewer";
  };
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, ["Name", "Description", "Members", "Your role"].map((name) => h("th", { scope: "col" }, name)))),
    h(
      "tbody",
      {},
      teams.map((team) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: teamUrl(team) }, team.name)),
          h("td", {}, team.description),
          h("td", {}, String(team.members.length)),
          h("td", {}, role(team)),
        ),
      ),
    ),
  );
}

async function teams({ api, session, query, navigate }) {
  const params = new URLSearchParams({ page: String(pageNumber(query)), page_size: String(PAGE_SIZE) });
  const listed = await api.get(`/-/teams/?${params}`);
  const name = h("input", { name: "name", required: true, maxlength: 100, autocomplete: "off" });
  const description = h("textarea", { name: "description", maxlength: 10000 });
  const form = h(
    "form",
    {},
    field("Team name", name),
    field("Description", description),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create team")),
  );
  onSubmit(form, async () => {
    let made;
    try {
      made = await api.post("/-/teams/", readForm(form));
    } catch (error) {
      throw aboutUnconfirmedAddress(error);
    }
    await navigate(teamUrl(made));
    notify(`The team ${made.name} is made. Invite its members here.`);
  });
  return h(
    "section",
    {},
    h("h1", {}, "Teams"),
    h("p", {}, "The members of a team see what is shared with it. Whoever makes a team manages it."),
    listed.count === 0
      ? h("p", { class: "muted" }, "You are in no team yet. Make one below, or accept an invitation from a mail.")
      : [teamTable(listed.results, session.caller), pager("/teams", query, listed)],
    h("h2", {}, "Make a team"),
    unconfirmedNotice(session.caller, "make or join a team"),
    form,
  );
}

/** The invitation's token: from the link's fragment (then dropped from the URL and the history), or kept from before. */
function invitationToken() {
  const token = takeToken();
  if (token) sessionStorage.setItem(INVITATION_KEY, token);
  return token ?? sessionStorage.getItem(INVITATION_KEY);
}

function invitation({ api, session, navigate }) {
  const token = invitationToken();
  if (!token) {
    return h(
      "section",
      {},
      h("h1", {}, "This invitation link is incomplete"),
      h("p", {}, "Open the link from the invitation mail as it is."),
    );
  }
  const { caller } = session;
  if (!caller.authenticated) {
    return h(
      "section",
      {},
      h("h1", {}, "Join a team"),
      h("p", {}, "You are invited to join a team. Log in with the account of the address the invitation was sent to, then accept it."),
      h(
        "div",
        { class: "actions" },
        h("a", { class: "button", href: `/login?next=${encodeURIComponent("/teams/invitation")}` }, "Log in to accept"),
        h("a", { class: "button secondary", href: "/signup" }, "Sign up"),
      ),
      h("p", { class: "hint" }, "New here? Sign up with that address and confirm it, then open the invitation link from the mail again."),
    );
  }
  const form = h(
    "form",
    {},
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Join team"), h("a", { href: "/teams" }, "Not now")),
  );
  onSubmit(form, async () => {
    let joined;
    try {
      joined = await api.post("/-/teams/invitations/", { token });
    } catch (error) {
      // Kept only while it may still work: for after the login, or once the address is confirmed.
      const unconfirmed = error.errors?.some((detail) => detail.name === "email_verified");
      if (error.status !== 401 && !unconfirmed) sessionStorage.removeItem(INVITATION_KEY);
      throw aboutUnconfirmedAddress(error);
    }
    sessionStorage.removeItem(INVITATION_KEY);
    await navigate(teamUrl(joined));
    notify(`You joined the team ${joined.name}.`);
  });
  return h(
    "section",
    {},
    h("h1", {}, "Join a team"),
    h("p", {}, `You are invited to join a team. Join it as ${caller.email}?`),
    unconfirmedNotice(caller, "join a team"),
    form,
  );
}

/** @type {import("../router.js").Route[]} */
export const routes = [
  { path: "/teams", screen: teams, signedIn: true },
  // Before `/teams/:id`, which would take "invitation" for an id.
  { path: "/teams/invitation", screen: invitation },
  { path: "/teams/:id", screen: teamPage, signedIn: true },
];
