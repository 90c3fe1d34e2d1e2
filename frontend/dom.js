/**
 * Building the page from data, without HTML strings: whatever the API
 * answers goes into text nodes and attribute values, never into markup, so
 * a document titled `<img onerror=...>` is shown as text.
 *
 * @module dom
 */

/**
 * An element: `h("a", { href: "/documents", class: "button" }, "Documents")`.
 *
 * Properties named `on<event>` add listeners; `true` sets a boolean
 * attribute, `false`, null and undefined leave the attribute out; other values
 * are set as attributes. A link or source (`href`, `src`) that is not a web
 * address (`javascript:...`) is refused with an error: an API's data may
 * become a link, never a script. Children are nodes, strings, numbers, or arrays of
 * them; null, undefined and false are skipped.
 *
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "value" && "value" in element) {
      element.value = value ?? "";
    } else if (name === "checked" || name === "selected") {
      element[name] = Boolean(value);
    } else if (URL_ATTRIBUTES.has(name) && !safeUrl(value)) {
      throw new Error(`${tag} ${name} is not a link to follow: ${value}`);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  element.append(...flatten(children));
  return element;
}

function flatten(children) {
  return children
    .flat(Infinity)
    .filter((child) => child !== null && child !== undefined && child !== false)
    .map((child) => (child instanceof Node ? child : String(child)));
}

/** Attributes that the browser follows or loads: only web addresses and the app's own `blob:` previews. */
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction"]);
const SAFE_SCHEMES = new Set(["http:", "https:", "blob:"]);

/** Whether `value` leads to a web address (not `javascript:`, not `data:`), relative ones included. */
function safeUrl(value) {
  try {
    return SAFE_SCHEMES.has(new URL(String(value), globalThis.location?.href ?? "http://localhost/").protocol);
  } catch {
    return false;
  }
}

let counter = 0;

/** A fresh id for `for`/`aria-describedby` pairs. @param {string} prefix */
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * A labelled control: `field("Title", h("input", { name: "title", required: true }), "hint")`.
 * The label's `for` and the hint's `aria-describedby` are wired up.
 *
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [hint]
 */
export function field(label, control, hint) {
  control.id ||= uniqueId(control.getAttribute("name") ?? "field");
  const parts = [h("label", { for: control.id }, label), control];
  if (hint) {
    const hintId = `${control.id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  return h("div", { class: "field" }, parts);
}

/**
 * A checkbox followed by its label.
 * @param {string} label @param {HTMLInputElement} box
 */
export function checkboxField(label, box) {
  box.id ||= uniqueId("checkbox");
  return h("div", { class: "field checkbox" }, box, " ", h("label", { for: box.id }, label));
}

/**
 * A `<select>` of `choices` (`[value, label]` pairs) showing `current`.
 * @param {string} name @param {[string, string][]} choices @param {string} [current]
 */
export function choice(name, choices, current = "") {
  const select = h("select", { name }, choices.map(([value, label]) => h("option", { value }, label)));
  select.value = current;
  return select;
}

/** A date and time from the API (ISO 8601), for a person, in their own zone. @param {string|null} iso */
export function when(iso) {
  if (!iso) return "never";
  const date = new Date(iso);
  return h("time", { datetime: iso }, date.toLocaleString());
}

/** A size in bytes, for a person. @param {number} bytes */
export function size(bytes) {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
