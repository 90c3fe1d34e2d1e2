/**
 * Lists in pages: the size the app asks for, and the links between pages,
 * which keep the rest of the list's address (its search, filters, order).
 *
 * @module pages
 */

import { h } from "./dom.js";

/** Objects on one page: asked for as `page_size`, so that "Page N of M" is exact. */
export const PAGE_SIZE = 20;

/**
 * The page number in an address (`?page=2`); 1 when absent or not a page number.
 * @param {URLSearchParams} query
 */
export function pageNumber(query) {
  const number = Number.parseInt(query.get("page") ?? "", 10);
  return number > 0 ? number : 1;
}

/**
 * "Page N of M", between links to the previous and next pages of the app's
 * list at `path`; null when everything fits on one page.
 *
 * @param {string} path The list's path in the app: `/files`.
 * @param {URLSearchParams} query The list's address as it is.
 * @param {{count: number, previous: string|null, next: string|null}} page The API's answer.
 */
export function pager(path, query, page) {
  if (!page.previous && !page.next) return null;
  const number = pageNumber(query);
  const link = (target, label, rel) => {
    const params = new URLSearchParams(query);
    params.set("page", String(target));
    return h("a", { href: `${path}?${params}`, rel }, label);
  };
  return h(
    "nav",
    { "aria-label": "Pages", class: "actions" },
    page.previous && link(number - 1, "Previous page", "prev"),
    h("span", {}, `Page ${number} of ${Math.max(1, Math.ceil(page.count / PAGE_SIZE))}`),
    page.next && link(number + 1, "Next page", "next"),
  );
}
