/**
 * Forms: from controls to the JSON the API takes, and the API's field errors
 * back next to the controls they are about.
 *
 * @module forms
 */

import { h } from "./dom.js";

/**
 * The form's values as the API's JSON: dotted names nest (`attributes.color`
 * gives `{attributes: {color}}`), checkboxes are booleans, number inputs
 * numbers, `data-list` inputs comma-separated lists, multiple selects lists.
 * An empty control marked `data-omit-empty` is left out; one marked
 * `data-null-empty` is `null` (which removes a field an update merges).
 *
 * @param {HTMLFormElement} form
 * @returns {Record<string, any>}
 */
export function readForm(form) {
  const data = {};
  for (const control of form.elements) {
    const { name } = control;
    if (!name || control.disabled || control.type === "submit" || control.type === "button") continue;
    if (control.type === "file") continue;
    let value;
    if (control.type === "checkbox") value = control.checked;
    else if (control.multiple) value = [...control.selectedOptions].map((option) => option.value);
    else if (control.hasAttribute("data-list")) {
      value = control.value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
    } else value = control.value;
    if (control.hasAttribute("data-null-empty") && value === "") value = null;
    if (control.type === "number" && value !== "" && value !== null) value = Number(value);
    if (control.hasAttribute("data-omit-empty") && (value === "" || value?.length === 0)) continue;
    if (control.type === "number" && value === "") continue;
    setPath(data, name.split("."), value);
  }
  return data;
}

function setPath(target, [first, ...rest], value) {
  if (rest.length === 0) {
    target[first] = value;
    return;
  }
  target[first] ??= {};
  setPath(target[first], rest, value);
}

/** Remove the error messages shown by {@link showErrors}. @param {HTMLFormElement} form */
export function clearErrors(form) {
  for (const message of form.querySelectorAll(".field-error, .form-errors")) message.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    const describedBy = (control.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .filter((id) => id && !id.endsWith("-error"));
    if (describedBy.length) control.setAttribute("aria-describedby", describedBy.join(" "));
    else control.removeAttribute("aria-describedby");
  }
}

/**
 * The control an error's `name` is about: the name itself, else its nearest
 * dotted parent (`tags.2` is about the `tags` input).
 */
function controlFor(form, name) {
  const parts = name.split(".");
  while (parts.length) {
    const control = form.elements.namedItem(parts.join("."));
    if (control instanceof Element) return control;
    parts.pop();
  }
  return null;
}

/**
 * Show an ApiError's field errors next to their controls, marked
 * `aria-invalid` and described by the message; every other error in a list
 * at the top of the form. Moves the focus to the first control in error, or to
 * that list.
 *
 * @param {HTMLFormElement} form
 * @param {import("./api.js").ApiError} error
 * @param {(error: import("./api.js").ApiError) => string} describe What to say of an error no control is for.
 */
export function showErrors(form, error, describe) {
  clearErrors(form);
  const unplaced = [];
  const placed = [];
  for (const detail of error.errors) {
    const control = detail.location === "body" && detail.name ? controlFor(form, detail.name) : null;
    if (!control) {
      unplaced.push(detail.name && detail.location === "body" ? `${detail.name}: ${detail.description}` : detail.description);
      continue;
    }
    const messageId = `${control.id}-error`;
    let message = form.querySelector(`#${CSS.escape(messageId)}`);
    if (!message) {
      message = h("p", { class: "field-error", id: messageId });
      (control.closest(".field") ?? control).append(message);
      control.setAttribute("aria-invalid", "true");
      const describedBy = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", describedBy ? `${describedBy} ${messageId}` : messageId);
      placed.push(control);
    }
    message.append(h("span", {}, detail.description), " ");
  }
  // Nothing to show next to a control (a 429, a 5xx, no answer): say what it is and what to do.
  if (placed.length === 0) unplaced.splice(0, unplaced.length, describe(error));
  if (unplaced.length) {
    const summary = h("div", { class: "form-errors", role: "alert", tabindex: "-1" }, unplaced.map((text) => h("p", {}, text)));
    form.prepend(summary);
    if (placed.length === 0) {
      summary.focus();
      return;
    }
  }
  placed[0].focus();
}
