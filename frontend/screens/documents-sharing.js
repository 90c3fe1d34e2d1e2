/**
 * Sharing a document, for its owner: making it public, and sharing it with
 * the teams they are in (`/-/documents/{id}/shares/`).
 *
 * @module screens/documents-sharing
 */

import { choice, field, h, uniqueId, when } from "../dom.js";
import { actionButton, notify, onSubmit, run } from "../ui.js";

/**
 * The sharing section of a document's page.
 *
 * Each change of sharing is a new version of the document: `adopt` gets the
 * document as it is afterwards.
 *
 * @param {ReturnType<import("../api.js").createApi>} api
 * @param {string} url The document's API path.
 * @param {(doc: Record<string, any>) => void} adopt
 * @returns {Promise<{element: HTMLElement, update: (doc: Record<string, any>) => void}>} `update` shows a
 *   version of the document.
 */
export async function sharingSection(api, url, adopt) {
  const sharesUrl = `${url}/shares/`;
  const [shares, teams] = await Promise.all([api.get(sharesUrl), api.get("/-/teams/?page_size=100")]);
  const names = new Map(teams.results.map((team) => [team.__meta__.id, team.name]));
  const nameOf = (teamId) => names.get(teamId) ?? "A team you are not in";

  const titleId = uniqueId("sharing");
  const hintId = uniqueId("public-hint");
  const publicBox = h("input", {
    type: "checkbox",
    id: uniqueId("public"),
    "aria-describedby": hintId,
    onchange: () => run(publicBox, togglePublic),
  });
  const teamsPart = h("div", {});
  const element = h(
    "section",
    { "aria-labelledby": titleId },
    h("h2", { id: titleId }, "Sharing"),
    h(
      "div",
      { class: "field checkbox" },
      publicBox,
      " ",
      h("label", { for: publicBox.id }, "Public"),
      h("p", { class: "hint", id: hintId }, "Anybody may read a public document, without logging in."),
    ),
    teamsPart,
  );

  async function togglePublic() {
    const wanted = publicBox.checked;
    try {
      adopt(await api.put(url, { public: wanted }));
    } catch (error) {
      publicBox.checked = !wanted;
      throw error;
    }
    notify(wanted ? "This document is public: anybody may read it." : "This document is no longer public.");
  }

  /** After a share changed: the document's new version, and the teams again, from their heading. */
  async function changed(text) {
    adopt(await api.get(url));
    drawTeams((await api.get(sharesUrl)).results);
    teamsPart.querySelector("h3").focus();
    notify(text);
  }

  function sharedWith(list) {
    if (list.length === 0) return h("p", {}, "Not shared with any team.");
    return h(
      "table",
      {},
      h("caption", {}, "Shared with"),
      h("thead", {}, h("tr", {}, ["Team", "Since", "Action"].map((name) => h("th", { scope: "col" }, name)))),
      h(
        "tbody",
        {},
        list.map(({ team_id: teamId, shared }) => {
          const nameId = uniqueId("share");
          const stop = actionButton(
            "Stop sharing",
            async () => {
              await api.delete(`${sharesUrl}${encodeURIComponent(teamId)}`);
              await changed(`No longer shared with ${nameOf(teamId)}.`);
            },
            { class: "secondary", "aria-describedby": nameId },
          );
          const name = h("th", { scope: "row", id: nameId }, nameOf(teamId));
          return h("tr", {}, name, h("td", {}, when(shared)), h("td", {}, stop));
        }),
      ),
    );
  }

  function shareForm(list) {
    const shared = new Set(list.map((share) => share.team_id));
    const candidates = teams.results.filter((team) => !shared.has(team.__meta__.id));
    if (teams.results.length === 0) {
      return h("p", {}, "You are in no team to share it with. ", h("a", { href: "/teams" }, "Make a team"), ".");
    }
    if (candidates.length === 0) return h("p", { class: "muted" }, "It is shared with every team you are in.");
    const select = choice("team", candidates.map((team) => [team.__meta__.id, team.name]), candidates[0].__meta__.id);
    const share = h("div", { class: "actions" }, h("button", { type: "submit" }, "Share"));
    const form = h("form", {}, field("Team", select), share);
    return onSubmit(form, async () => {
      const teamId = select.value;
      await api.put(`${sharesUrl}${encodeURIComponent(teamId)}`);
      await changed(`Shared with ${nameOf(teamId)}: its members may read this document.`);
    });
  }

  function drawTeams(list) {
    teamsPart.replaceChildren(h("h3", { tabindex: "-1" }, "Teams"), sharedWith(list), shareForm(list));
  }

  drawTeams(shares.results);
  return {
    element,
    update(next) {
      publicBox.checked = next.public;
    },
  };
}
