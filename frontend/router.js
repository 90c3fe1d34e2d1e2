/**
 * Routing in the browser with the history API: each screen has a real path
 * (`/documents/abc?page=2`), so a reload or a shared link opens it again.
 * The server answers every such path with `index.html` (docs/frontend.rst).
 *
 * @module router
 */

/**
 * @typedef {object} Route
 * @property {string} path A pattern: `/documents/:id`.
 * @property {(context: object) => Promise<Node|Node[]>} screen
 * @property {boolean} [signedIn] Only for a signed-in person: others are sent to the login screen.
 */

/** A pattern's regular expression: `:name` matches one path segment. */
function compile(pattern) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  return { regex: new RegExp(`^${source}/?$`), names };
}

/**
 * The token of a mailed link (`/confirm#token=...`), taken out of the address
 * bar and the history at once: it was in the fragment so that no server's
 * log would see it, and it must not stay in the browser's history either.
 * @returns {string|null}
 */
export function takeToken() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (window.location.hash) {
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }
  return token;
}

/**
 * @param {Route[]} routes
 * @param {(route: Route|null, params: Record<string, string>, url: URL) => Promise<void>} show
 * @param {(error: unknown) => void} report What to do with a failure no screen handled.
 */
export function createRouter(routes, show, report) {
  const compiled = routes.map((route) => ({ route, ...compile(route.path) }));

  function match(pathname) {
    for (const { route, regex, names } of compiled) {
      const found = regex.exec(pathname);
      if (found) {
        const params = Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(found[index + 1])]));
        return { route, params };
      }
    }
    return { route: null, params: {} };
  }

  async function render() {
    const url = new URL(window.location.href);
    const { route, params } = match(url.pathname);
    await show(route, params, url);
  }

  /**
   * Open a screen of the app. `replace` keeps the browser's history as it is
   * (for the query of a list, or a redirect).
   * @param {string} path @param {{replace?: boolean}} [options]
   */
  async function navigate(path, { replace = false } = {}) {
    const target = new URL(path, window.location.href);
    if (replace) window.history.replaceState(null, "", target);
    else window.history.pushState(null, "", target);
    await render();
  }

  // Links of the app's own stay in the app; other links, downloads and
  // modified clicks (new tab, new window) are the browser's.
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.target || link.hasAttribute("download")) return;
    if (link.getAttribute("href").startsWith("#")) {
      // A link within the page (the skip link): the browser would change the
      // URL's fragment, and the history event would draw the screen again.
      event.preventDefault();
      const to = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      to?.focus();
      to?.scrollIntoView();
      return;
    }
    const target = new URL(link.href);
    if (target.origin !== window.location.origin || target.pathname.startsWith("/-/")) return;
    event.preventDefault();
    navigate(target.pathname + target.search + target.hash).catch(report);
  });
  window.addEventListener("popstate", () => render().catch(report));

  return { navigate, render };
}
