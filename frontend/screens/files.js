/**
 * Files (`/-/files/`): the list, searched, ordered and paged from the URL,
 * with the upload area above it, and each file's own screen.
 */

import { field, h, size, when } from "../dom.js";
import { PAGE_SIZE, pageNumber, pager } from "../pages.js";
import { onSubmit, report } from "../ui.js";
import { fileScreen } from "./files-detail.js";
import { uploadArea } from "./files-upload.js";

/** The orders a person can choose, by the API's `ordering` value; "" is the API's own: newest first. */
const ORDERINGS = new Map([
  ["", "Newest first"],
  ["created", "Oldest first"],
  ["-modified", "Recently changed"],
  ["filename", "Name"],
  ["-size", "Largest first"],
]);

/** The view the URL asks for: `?search=...&ordering=...&page=2`, invalid values dropped. */
function viewOf(query) {
  const ordering = query.get("ordering") ?? "";
  return {
    search: (query.get("search") ?? "").trim(),
    ordering: ORDERINGS.has(ordering) ? ordering : "",
    page: pageNumber(query),
  };
}

/** The query of a view's address, without the parameters that have their default value. */
function paramsOf({ search, ordering, page }) {
  const params = new URLSearchParams();
  if (search) params.set("search", search);
  if (ordering) params.set("ordering", ordering);
  if (page > 1) params.set("page", String(page));
  return params;
}

/** The app's path of a view. */
function pathOf(view) {
  const query = paramsOf(view).toString();
  return query ? `/files?${query}` : "/files";
}

/** The API's path of a view's page. */
function sourceOf({ search, ordering, page }) {
  const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
  if (search) params.set("search", search);
  if (ordering) params.set("ordering", ordering);
  return `/-/files/?${params}`;
}

function searchForm(view, navigate) {
  const order = h(
    "select",
    { name: "ordering" },
    [...ORDERINGS].map(([value, label]) => h("option", { value, selected: value === view.ordering }, label)),
  );
  const form = h(
    "form",
    { role: "search", "aria-label": "Files" },
    field("Search", h("input", { type: "search", name: "search", value: view.search })),
    field("Order", order),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, "Search"),
      view.search &&
        h("a", { href: pathOf({ ...view, search: "", page: 1 }), class: "button secondary" }, "Clear search"),
    ),
  );
  return onSubmit(form, (data) =>
    navigate(pathOf({ search: data.get("search").trim(), ordering: data.get("ordering"), page: 1 })),
  );
}

function table(files) {
  const header = ["Name", "Size", "Type", "Modified"].map((label) => h("th", { scope: "col" }, label));
  const rows = files.map((file) =>
    h(
      "tr",
      {},
      h("td", {}, h("a", { href: `/files/${encodeURIComponent(file.__meta__.id)}` }, file.filename)),
      h("td", {}, size(file.size)),
      h("td", {}, file.content_type),
      h("td", {}, when(file.__meta__.modified)),
    ),
  );
  return h("table", {}, h("thead", {}, h("tr", {}, header)), h("tbody", {}, rows));
}

/** What a page of the list shows: how many files, the table, and links to the other pages. */
function results(page, view) {
  const { count } = page;
  const quoted = `“${view.search}”`;
  if (count === 0) {
    return h("div", {}, h("p", {}, view.search ? `No file matches ${quoted}.` : "No files yet: upload some above."));
  }
  const counted = `${count} file${count === 1 ? "" : "s"}`;
  return h(
    "div",
    {},
    h("p", {}, view.search ? `${counted} ${count === 1 ? "matches" : "match"} ${quoted}.` : `${counted}.`),
    table(page.results),
    pager("/files", paramsOf(view), page),
  );
}

async function list({ api, session, query, navigate }) {
  const view = viewOf(query);
  const source = sourceOf(view);
  let page = await api.get(source);
  let shown = results(page, view);
  // After an upload: the same page again, redrawn if it changed. Uploads end
  // together: only the answer to the latest request is drawn.
  let latest = 0;
  const refresh = async () => {
    if (!shown.isConnected) return;
    const ticket = ++latest;
    try {
      const { data } = await api.refresh(source);
      if (ticket !== latest || data === page || !shown.isConnected) return;
      const next = results(data, view);
      shown.replaceWith(next);
      [page, shown] = [data, next];
    } catch (error) {
      report(error);
    }
  };
  return h(
    "section",
    {},
    h("h1", {}, "Files"),
    uploadArea(api, session.caller.id, refresh),
    h(
      "section",
      { "aria-labelledby": "browse-heading" },
      h("h2", { id: "browse-heading" }, "Browse"),
      searchForm(view, navigate),
      shown,
    ),
  );
}

/** @type {import("../router.js").Route[]} */
export const routes = [
  { path: "/files", screen: list, signedIn: true },
  { path: "/files/:id", screen: fileScreen, signedIn: true },
];
