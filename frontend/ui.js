/**
 * What every screen shares: telling a person what happened, asking them to
 * confirm, and asking for their password again when the API wants it.
 *
 * @module ui
 */

import { ApiError } from "./api.js";
import { field, h, uniqueId } from "./dom.js";
import { clearErrors, showErrors } from "./forms.js";

const statusRegion = () => document.getElementById("status");
const alertRegion = () => document.getElementById("alert");

/**
 * What to tell a person about a failed request, with what they can do:
 * wait (429, 503), check their connection, or quote the request id (5xx).
 *
 * @param {ApiError} error
 */
export function describe(error) {
  if (error.offline) return "The server cannot be reached. Check your connection, then try again.";
  if (error.aborted) return "Cancelled.";
  const wait = error.retryAfter ?? 60;
  const later = `Try again in ${wait} second${wait === 1 ? "" : "s"}.`;
  if (error.status === 429) return `Too many requests. ${later}`;
  if (error.status >= 500) {
    const quote = error.requestId ? ` If it happens again, quote request ID ${error.requestId}.` : "";
    if (error.status === 503) return `The service is not available just now. ${later}${quote}`;
    return `Something went wrong on the server.${quote}`;
  }
  if (error.reauthenticationRequired) return "This needs your password again: try once more and enter it when asked.";
  const said = error.errors.map(({ description }) => description).filter(Boolean);
  return said.length ? said.join(" ") : error.message;
}

/** Say that something went well, in the polite live region. @param {string} text */
export function notify(text) {
  alertRegion().replaceChildren();
  statusRegion().textContent = text;
}

/** Say that something failed, in the assertive live region. @param {unknown} error */
export function report(error) {
  if (!(error instanceof ApiError)) throw error;
  if (error.aborted) return;
  statusRegion().textContent = "";
  alertRegion().textContent = describe(error);
}

/** Forget what was said: a new screen starts clean. */
export function clearMessages() {
  statusRegion().textContent = "";
  alertRegion().replaceChildren();
}

/**
 * Run a form's action on submit: the submit button is disabled meanwhile,
 * field errors are shown next to their controls.
 *
 * @param {HTMLFormElement} form
 * @param {(data: FormData) => Promise<void>} action
 */
export function onSubmit(form, action) {
  // The API is the one judge of what is valid: its messages, next to each
  // control, rather than the browser's bubbles. `required` and the like stay
  // on the controls, for what assistive technologies announce.
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll("button")];
    await busy(buttons, async () => {
      clearErrors(form);
      try {
        await action(new FormData(form));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (!error.aborted) showErrors(form, error, describe);
      }
    });
  });
  return form;
}

/**
 * Run an action from a control (a button, a checkbox): the control is
 * disabled meanwhile, and a failure is said in the alert region.
 *
 * @param {HTMLButtonElement|HTMLInputElement} control
 * @param {() => Promise<void>} action
 */
export function run(control, action) {
  return busy([control], async () => {
    try {
      await action();
    } catch (error) {
      report(error);
    }
  });
}

/** Run a button's action on click, through {@link run}. @param {HTMLButtonElement} button @param {() => Promise<void>} action */
export function onClick(button, action) {
  button.addEventListener("click", () => run(button, action));
  return button;
}

/**
 * A button that runs `action` on click, through {@link run}.
 * @param {string} label @param {() => Promise<void>} action @param {Record<string, any>} [props] More attributes.
 */
export function actionButton(label, action, props = {}) {
  return onClick(h("button", { type: "button", ...props }, label), action);
}

/**
 * Disable `buttons` while `action` runs. A disabled button loses the focus
 * (to the page's body, where a keyboard user would have to start again):
 * the one that had it gets it back, unless the action moved it elsewhere.
 */
async function busy(buttons, action) {
  const focused = buttons.find((button) => button === document.activeElement);
  for (const button of buttons) button.disabled = true;
  try {
    await action();
  } finally {
    for (const button of buttons) button.disabled = false;
    if (focused?.isConnected && document.activeElement === document.body) focused.focus();
  }
}

/**
 * Name the page after a screen's heading and move the focus there, so that
 * a screen reader announces the new screen and the keyboard starts from it
 * (or from the screen's `autofocus` control).
 *
 * @param {HTMLElement} screen
 */
export function focusScreen(screen) {
  const heading = screen.querySelector("h1");
  document.title = heading ? `${heading.textContent} · backrest` : "backrest";
  heading?.setAttribute("tabindex", "-1");
  (screen.querySelector("[autofocus]") ?? heading ?? screen).focus();
}

/**
 * Put another screen in the place of `section` (a form's outcome, on the
 * same path), focused as a new screen is.
 *
 * @param {HTMLElement} section @param {HTMLElement} next
 */
export function replaceScreen(section, next) {
  section.replaceWith(next);
  focusScreen(next);
}

/** A modal dialog; answers the value the person chose, null when they dismissed it. */
function modal(title, content, buttons) {
  return new Promise((resolve) => {
    const titleId = uniqueId("dialog-title");
    const dialog = h("dialog", { "aria-labelledby": titleId }, h("h2", { id: titleId }, title), content, buttons);
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue || null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * Ask a yes/no question before something that cannot be undone.
 * @param {string} question @param {string} action The button that says yes: "Delete".
 * @returns {Promise<boolean>}
 */
export async function confirmAction(question, action) {
  const form = h(
    "form",
    { method: "dialog" },
    h("button", { value: "yes", class: "danger" }, action),
    " ",
    h("button", { value: "", autofocus: true }, "Cancel"),
  );
  return (await modal(question, null, form)) === "yes";
}

/**
 * Choose among actions: answers the chosen `value`, null when dismissed.
 * @param {string} title @param {string} text @param {{value: string, label: string}[]} choices
 */
export function choose(title, text, choices) {
  const form = h(
    "form",
    { method: "dialog" },
    choices.map(({ value, label }) => [h("button", { value }, label), " "]),
    h("button", { value: "" }, "Cancel"),
  );
  return modal(title, h("p", {}, text), form);
}

/**
 * Ask for the password, and renew the session's password check with it.
 * Answers false when the person cancelled.
 *
 * @param {ReturnType<import("./api.js").createApi>} api
 */
function askPassword(api) {
  return new Promise((resolve) => {
    const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
    const form = h(
      "form",
      {},
      h("p", {}, "For your security, enter your password again to go on."),
      field("Password", password),
      h("button", { type: "submit" }, "Confirm"),
      " ",
      h("button", { type: "button", onclick: () => form.closest("dialog").close() }, "Cancel"),
    );
    let confirmed = false;
    onSubmit(form, async (data) => {
      await api.reauthenticate(data.get("password"));
      confirmed = true;
      form.closest("dialog").close();
    });
    modal("Confirm it is you", form, null).then(() => resolve(confirmed));
  });
}

/**
 * Run an action that may need a recent password check (creating a key,
 * ending other sessions, deleting the account...): when the API answers
 * `reauthentication`, ask for the password, then run the action once more.
 *
 * @template T
 * @param {ReturnType<import("./api.js").createApi>} api
 * @param {() => Promise<T>} action
 * @returns {Promise<T>} Rejects with the original error when the person cancels.
 */
export async function withReauth(api, action) {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ApiError) || !error.reauthenticationRequired) throw error;
    if (!(await askPassword(api))) throw error;
    return action();
  }
}
