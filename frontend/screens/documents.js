/**
 * The documents of `/-/documents/`: their list, whose search, status filter,
 * order and page live in the address (so a reload or a shared link shows the
 * same view), the form that creates one, and each document's page.
 *
 * @module screens/documents
 */

import { ApiError } from "../api.js";
import { choice, field, h, when } from "../dom.js";
import { readForm } from "../forms.js";
import { actionButton, notify, onSubmit, report } from "../ui.js";
import { PAGE_SIZE, pager } from "../pages.js";
import { documentScreen, newDocumentScreen } from "./documents-detail.js";
import { STATUSES, statusLabel } from "./documents-fields.js";

/** Documents on a page: asked for, so that the number of pages is known. */

/** The orders a person may choose, as `ordering` values; the API's default is newest first. */
const ORDERINGS = [
  ["", "Newest first"],
  ["created", "Oldest first"],
  ["-modified", "Recently changed first"],
  ["modified", "Least recently changed first"],
  ["title", "Title, A to Z"],
  ["-title", "Title, Z to A"],
  ["status", "Status"],
];

/** The query parameters of the list's address, passed on to the API as they are. */
const LIST_PARAMETERS = ["search", "status", "ordering", "page"];

/** The API's list URL for the view the address asks for. @param {URLSearchParams} query */
function listUrl(query) {
  const params = new URLSearchParams({ page_size: String(PAGE_SIZE) });
  for (const name of LIST_PARAMETERS) {
    if (query.get(name)) params.set(name, query.get(name));
  }
  return `/-/documents/?${params}`;
}

/** The controls of the view: search, status, order; applying them opens the first page. */
function searchForm(query, navigate) {
  const ordering = query.get("ordering") ?? "";
  const known = ORDERINGS.some(([value]) => value === ordering);
  const orderings = known ? ORDERINGS : [...ORDERINGS, [ordering, ordering]];
  const form = h(
    "form",
    { role: "search", "aria-label": "Documents", novalidate: true },
    field("Search", h("input", { name: "search", type: "search", value: query.get("search") }), "In titles and bodies"),
    field("Status", choice("status", [["", "Any status"], ...STATUSES], query.get("status") ?? "")),
    field("Order", choice("ordering", orderings, ordering)),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Apply")),
  );
  return onSubmit(form, async () => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(readForm(form))) {
      if (value) params.set(name, value);
    }
    params.set("page", "1");
    await navigate(`/documents?${params}`);
  });
}

/** One page of the list: its table and the links to the pages around it. @returns {Node[]} */
function results(page, query) {
  const filtered = Boolean(query.get("search") || query.get("status"));
  if (page.count === 0) {
    if (filtered) return [h("p", {}, "No documents match.")];
    return [h("p", {}, "No documents yet. ", h("a", { href: "/documents/new" }, "Write the first one"), ".")];
  }
  const table = h(
    "table",
    {},
    h("caption", { class: "muted" }, `${page.count} document${page.count === 1 ? "" : "s"}`),
    h("thead", {}, h("tr", {}, ["Title", "Status", "Modified"].map((name) => h("th", { scope: "col" }, name)))),
    h(
      "tbody",
      {},
      page.results.map((doc) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `/documents/${encodeURIComponent(doc.__meta__.id)}` }, doc.title)),
          h("td", {}, statusLabel(doc.status)),
          h("td", {}, when(doc.__meta__.modified)),
        ),
      ),
    ),
  );
  return [table, pager("/documents", query, page)];
}

/** `/documents`: the list, as its address asks. @param {object} ctx */
async function listScreen({ api, query, navigate }) {
  const url = listUrl(query);
  const shown = h("div", {});
  try {
    shown.replaceChildren(...results(await api.get(url), query));
  } catch (error) {
    // A hand-made address: an unknown order, a page past the last one.
    if (!(error instanceof ApiError) || ![400, 404].includes(error.status)) throw error;
    const all = h("a", { href: "/documents" }, "Show all documents");
    shown.replaceChildren(h("p", {}, "This view cannot be shown. ", all, "."));
    report(error);
  }

  async function refresh() {
    const { data, unchanged } = await api.refresh(url);
    if (unchanged) {
      notify("No changes since the last load.");
      return;
    }
    shown.replaceChildren(...results(data, query));
    notify("The list was updated.");
  }

  return h(
    "section",
    {},
    h("h1", {}, "Documents"),
    h(
      "div",
      { class: "actions" },
      h("a", { href: "/documents/new", class: "button" }, "New document"),
      actionButton("Refresh", refresh, { class: "secondary" }),
    ),
    searchForm(query, navigate),
    shown,
  );
}

/** @type {import("../router.js").Route[]} */
export const routes = [
  { path: "/documents", screen: listScreen, signedIn: true },
  { path: "/documents/new", screen: newDocumentScreen, signedIn: true },
  { path: "/documents/:id", screen: documentScreen, signedIn: true },
];
