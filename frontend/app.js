/**
 * The reference single-page app's shell: one API client, who is signed in,
 * the navigation, and each screen of `screens/` drawn in `<main>` when its
 * path is opened.
 */

import { ApiError, createApi } from "./api.js";
import { h } from "./dom.js";
import { createRouter } from "./router.js";
import { clearMessages, focusScreen, notify, onClick, report } from "./ui.js";
import { routes as accountRoutes } from "./screens/account.js";
import { routes as documentRoutes } from "./screens/documents.js";
import { routes as fileRoutes } from "./screens/files.js";
import { routes as keyRoutes } from "./screens/keys.js";
import { routes as teamRoutes } from "./screens/teams.js";

/** The API's origin from the page's `backrest-api-root`: empty for the page's own (docs/frontend.rst). */
const apiRoot = document.querySelector('meta[name="backrest-api-root"]')?.content.replace(/\/+$/, "") ?? "";
const api = createApi({ baseUrl: apiRoot });
const main = document.getElementById("app");
const who = document.getElementById("who");
const nav = document.getElementById("nav");

/** Who is signed in: `GET /-/login` at start and after every change of session. */
const session = {
  /** @type {{authenticated: boolean, email?: string, firstname?: string, email_verified?: boolean, id?: string}} */
  caller: { authenticated: false },
  async refresh() {
    this.caller = await api.loginStatus();
    drawHeader();
    return this.caller;
  },
  /** Forget the session without asking the server (after logout, or when the account was deleted). */
  forget() {
    this.caller = { authenticated: false };
    drawHeader();
  },
};

function drawHeader() {
  const { caller } = session;
  who.textContent = caller.authenticated ? `Signed in as ${caller.email}` : "Not signed in";
  const links = caller.authenticated
    ? [
        ["/documents", "Documents"],
        ["/files", "Files"],
        ["/teams", "Teams"],
        ["/keys", "API keys"],
        ["/account", "Account"],
      ]
    : [
        ["/login", "Log in"],
        ["/signup", "Sign up"],
      ];
  const items = links.map(([href, label]) => h("li", {}, h("a", { href }, label)));
  if (caller.authenticated) items.push(h("li", {}, onClick(h("button", { type: "button", class: "secondary" }, "Log out"), logout)));
  nav.replaceChildren(h("ul", {}, items));
  const here = window.location.pathname;
  for (const link of nav.querySelectorAll("a")) {
    if (here === link.pathname || here.startsWith(`${link.pathname}/`)) link.setAttribute("aria-current", "page");
  }
}

async function logout() {
  await api.logout();
  session.forget();
  // What the tab kept for the person (an invitation waiting for their login) is not for the next one.
  sessionStorage.clear();
  await router.navigate("/login");
  notify("You are logged out.");
}

async function home() {
  await router.navigate(session.caller.authenticated ? "/documents" : "/login", { replace: true });
  return null;
}

function notFound() {
  return h(
    "section",
    {},
    h("h1", {}, "Not found"),
    h("p", {}, "There is nothing at this address. ", h("a", { href: "/" }, "Go to the start page.")),
  );
}

const router = createRouter(
  [{ path: "/", screen: home }, ...accountRoutes, ...documentRoutes, ...fileRoutes, ...keyRoutes, ...teamRoutes],
  show,
  report,
);

/** The screen drawn last: an older one that finishes loading later is dropped. */
let drawing = 0;

async function show(route, params, url) {
  const ticket = ++drawing;
  clearMessages();
  drawHeader();
  if (route?.signedIn && !session.caller.authenticated) {
    const next = url.pathname + url.search;
    await router.navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    return;
  }
  main.setAttribute("aria-busy", "true");
  let content;
  try {
    const context = { api, session, params, url, query: url.searchParams, navigate: router.navigate };
    content = route ? await route.screen(context) : notFound();
  } catch (error) {
    if (ticket !== drawing) return;
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401 && !error.reauthenticationRequired) {
      session.forget();
      await router.navigate(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, { replace: true });
      return;
    }
    content = error.status === 404 ? notFound() : h("section", {}, h("h1", {}, "This page could not be shown"));
    if (error.status !== 404) report(error);
  } finally {
    if (ticket === drawing) main.removeAttribute("aria-busy");
  }
  if (ticket !== drawing || content === null) return;
  main.replaceChildren(content);
  focusScreen(main);
}

/** Without an answer to `GET /-/login`, nobody can say who is signed in: say why, and offer to try again. */
function unreachable(error) {
  const retry = h("button", { type: "button", onclick: () => window.location.reload() }, "Try again");
  main.replaceChildren(h("section", {}, h("h1", {}, "backrest cannot be reached"), h("div", { class: "actions" }, retry)));
  focusScreen(main);
  report(error);
}

try {
  await session.refresh();
  await router.render();
} catch (error) {
  if (!(error instanceof ApiError)) throw error;
  unreachable(error);
}
