/**
 * One team's page (`/teams/:id`): what it is, who is in it and what it may
 * do. Its members may leave it. Its managers also invite, remove members,
 * revoke pending invitations, make and revoke the team's API keys, rename
 * and delete it; only admins change its permissions.
 */

import { ApiError } from "../api.js";
import { checkboxField, field, h, when } from "../dom.js";
import { readForm } from "../forms.js";
import { confirmAction, notify, onClick, onSubmit } from "../ui.js";
import { keyArea } from "./keys.js";

const CONFLICT = "Someone changed this team since this page was shown. Reload the page to see their change, then make yours again.";

/** A 412 told as what happened and what to do. */
function aboutConflict(error) {
  if (!(error instanceof ApiError) || !error.conflict) return error;
  return new ApiError(error.message, {
    status: error.status,
    errors: [{ location: "header", name: null, description: CONFLICT }],
    requestId: error.requestId,
  });
}

function personName(member) {
  return [member.firstname, member.lastname].filter(Boolean).join(" ");
}

function table(head, rows) {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, head.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, rows),
  );
}

/** The members, with "Remove" buttons for a manager. */
function membersArea(api, path, state) {
  const area = h("div", { tabindex: "-1" });
  const { me, manager } = state;
  const row = (member) => {
    const name = personName(member);
    let shown = name ? name : h("span", { class: "muted" }, `No name given (account ${member.id})`);
    if (member.id === me) shown = `${name || state.email} (you)`;
    const cells = [h("td", {}, shown), h("td", {}, member.id === state.team.__meta__.owner ? "Manager" : "Member")];
    if (manager) {
      const label = name || `the account ${member.id}`;
      const remove = h("button", { type: "button", class: "danger", "aria-label": `Remove ${label}` }, "Remove");
      onClick(remove, async () => {
        if (!(await confirmAction(`Remove ${label} from the team?`, "Remove"))) return;
        await api.delete(`${path}/members/${encodeURIComponent(member.id)}`);
        await state.reread();
        notify(`${name || "The member"} is no longer in the team.`);
        area.focus();
      });
      cells.push(h("td", {}, member.id === me ? null : remove));
    }
    return h("tr", {}, cells);
  };
  const draw = () =>
    area.replaceChildren(table(manager ? ["Name", "Role", "Actions"] : ["Name", "Role"], state.team.members.map(row)));
  draw();
  return { area, draw };
}

/** The manager's form that invites an address, and the invitations not answered yet. */
async function invitationsArea(api, path) {
  const pending = h("div", { tabindex: "-1" });
  const reload = async () => {
    const { results } = await api.get(`${path}/invitations/`);
    if (results.length === 0) {
      pending.replaceChildren(h("p", { class: "muted" }, "No invitation is waiting for an answer."));
      return;
    }
    const row = (invitation) => {
      const revoke = h("button", { type: "button", class: "secondary", "aria-label": `Revoke the invitation of ${invitation.email}` }, "Revoke");
      onClick(revoke, async () => {
        if (!(await confirmAction(`Revoke the invitation of ${invitation.email}?`, "Revoke"))) return;
        await api.delete(`${path}/invitations/${encodeURIComponent(invitation.id)}`);
        await reload();
        notify(`The invitation of ${invitation.email} no longer works.`);
        pending.focus();
      });
      return h("tr", {}, h("td", {}, invitation.email), h("td", {}, when(invitation.expires)), h("td", {}, revoke));
    };
    pending.replaceChildren(table(["Address", "Expires", "Actions"], results.map(row)));
  };
  await reload();
  const form = h(
    "form",
    {},
    field("Email", h("input", { name: "email", type: "email", required: true, autocomplete: "off" }), "Its owner gets a link to join: nobody is added without accepting."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Send invitation")),
  );
  onSubmit(form, async () => {
    const { invitation } = await api.post(`${path}/members`, readForm(form));
    form.reset();
    await reload();
    const until = new Date(invitation.expires).toLocaleString();
    notify(`Invitation sent if ${invitation.email} receives mail. Its link works until ${until}.`);
  });
  return [h("h2", {}, "Invite someone"), form, h("h3", {}, "Pending invitations"), pending];
}

/** The team's name and description, for its managers to change (with `If-Match`). */
function editForm(api, path, state, shown) {
  const name = h("input", { name: "name", required: true, maxlength: 100, autocomplete: "off", value: state.team.name });
  const description = h("textarea", { name: "description", maxlength: 10000, value: state.team.description });
  const form = h(
    "form",
    {},
    field("Team name", name),
    field("Description", description),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save")),
  );
  onSubmit(form, async () => {
    try {
      state.team = await api.patch(path, readForm(form));
    } catch (error) {
      throw aboutConflict(error);
    }
    shown();
    notify("The team is saved.");
  });
  return [h("h2", {}, "Name and description"), form];
}

/** The team's permissions: checkboxes for an admin, a list for everybody else. */
function permissionsArea(api, path, state, choices) {
  const intro = h("p", {}, "What the team's members may do on every object of a kind, whoever owns it.");
  if (!state.isAdmin) {
    const { permissions } = state.team;
    return [
      h("h2", {}, "Permissions"),
      intro,
      permissions.length
        ? h("ul", {}, permissions.map((permission) => h("li", {}, h("code", {}, permission))))
        : h("p", { class: "muted" }, "None: its members see what is shared with the team."),
      h("p", { class: "hint" }, "Only admins grant permissions to teams."),
    ];
  }
  const boxes = choices.map((permission) =>
    h("input", { type: "checkbox", value: permission, checked: state.team.permissions.includes(permission) }),
  );
  const form = h(
    "form",
    {},
    h("fieldset", {}, h("legend", {}, "Permissions"), boxes.map((box) => checkboxField(box.value, box))),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save permissions")),
  );
  onSubmit(form, async () => {
    const permissions = boxes.filter((box) => box.checked).map((box) => box.value);
    try {
      state.team = await api.patch(path, { permissions });
    } catch (error) {
      throw aboutConflict(error);
    }
    notify("The team's permissions are saved.");
  });
  return [h("h2", {}, "Permissions"), intro, form];
}

/**
 * The screen of `/teams/:id`.
 * @param {{api: ReturnType<import("../api.js").createApi>, session: any, params: {id: string}, navigate: Function}} context
 * @returns {Promise<HTMLElement>}
 */
export async function teamPage({ api, session, params, navigate }) {
  const path = `/-/teams/${encodeURIComponent(params.id)}`;
  const team = await api.get(path);
  const manager = team.__meta__.permissions.includes("edit");
  const me = session.caller.id;
  const [site, options] = manager
    ? await Promise.all([api.post("/-/api/home/describe_site", {}), api.request("OPTIONS", path)])
    : [null, null];
  const state = { team, me, email: session.caller.email, manager, isAdmin: site?.caller?.is_admin === true };
  const members = membersArea(api, path, state);
  state.reread = async () => {
    state.team = await api.get(path);
    members.draw();
  };

  const heading = h("h1", {}, team.name);
  const about = h("p", {});
  about.style.whiteSpace = "pre-line";
  const shown = () => {
    heading.textContent = state.team.name;
    document.title = `${state.team.name} · backrest`;
    about.replaceChildren(state.team.description || h("span", { class: "muted" }, "No description."));
  };
  shown();

  const isMember = team.members.some((member) => member.id === me);
  const leave = h("button", { type: "button", class: "danger" }, "Leave team");
  onClick(leave, async () => {
    if (!(await confirmAction(`Leave the team ${state.team.name}?`, "Leave"))) return;
    await api.delete(`${path}/members/${encodeURIComponent(me)}`);
    await navigate("/teams");
    notify(`You left the team ${state.team.name}.`);
  });
  const remove = h("button", { type: "button", class: "danger" }, "Delete team");
  onClick(remove, async () => {
    if (!(await confirmAction(`Delete the team ${state.team.name}?`, "Delete"))) return;
    try {
      await api.delete(path);
    } catch (error) {
      throw aboutConflict(error);
    }
    await navigate("/teams");
    notify(`The team ${state.team.name} is deleted.`);
  });

  const choices = (options?.actions?.PUT?.permissions?.choices ?? []).map((choice) => choice.value);
  return h(
    "section",
    {},
    heading,
    about,
    isMember && me !== team.__meta__.owner && h("div", { class: "actions" }, leave),
    h("h2", {}, "Members"),
    members.area,
    manager && (await invitationsArea(api, path)),
    permissionsArea(api, path, state, choices),
    manager && [
      h("h2", {}, "Team API keys"),
      h("p", {}, "A team key acts as the team, with its permissions and what is shared with it, not as the person who made it."),
      await keyArea(api, `${path}/keys/`, { level: 3, empty: "The team has no API key." }),
    ],
    manager && editForm(api, path, state, shown),
    manager && [
      h("h2", {}, "Delete the team"),
      h("p", {}, "Its members lose what is shared with it, and its API keys stop working. This cannot be undone."),
      h("div", { class: "actions" }, remove),
    ],
  );
}
