/**
 * What the documents' screens share: the controls of a document's form
 * (title, body, status, tags and the nested attributes), filling them from a
 * representation.
 *
 * @module screens/documents-fields
 */

import { choice, field, h } from "../dom.js";

/** A document's statuses, as the API names them and as a person reads them. */
export const STATUSES = [
  ["draft", "Draft"],
  ["published", "Published"],
  ["archived", "Archived"],
];

/** How a person reads a status. @param {string} status */
export function statusLabel(status) {
  return STATUSES.find(([value]) => value === status)?.[1] ?? status;
}

/** The labelled controls of a document's form, empty but for the default status. */
export function documentFields() {
  return [
    field("Title", h("input", { name: "title", required: true, maxlength: 200, autocomplete: "off" })),
    field("Body", h("textarea", { name: "body", rows: 10 })),
    field("Status", choice("status", STATUSES, "draft")),
    field(
      "Tags",
      h("input", { name: "tags", "data-list": true, autocomplete: "off" }),
      "Separated by commas: engine, notes.",
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Attributes"),
      // Emptied, an attribute is sent as null, which removes it: attributes are merged on update.
      field("Language", h("input", { name: "attributes.language", maxlength: 20, "data-null-empty": true }), "A code, such as en."),
      field("Color", h("input", { name: "attributes.color", maxlength: 20, "data-null-empty": true })),
      field(
        "Priority",
        h("input", { name: "attributes.priority", type: "number", min: 0, max: 5, step: 1, "data-null-empty": true }),
        "A whole number from 0 to 5.",
      ),
    ),
  ];
}

/**
 * Show a document in the controls of its form: each control by its dotted
 * name, lists joined by commas, what the document lacks left empty.
 * @param {HTMLFormElement} form @param {Record<string, any>} doc
 */
export function fillForm(form, doc) {
  for (const control of form.elements) {
    if (!control.name) continue;
    const value = control.name.split(".").reduce((object, key) => object?.[key], doc);
    control.value = Array.isArray(value) ? value.join(", ") : (value ?? "");
  }
}
