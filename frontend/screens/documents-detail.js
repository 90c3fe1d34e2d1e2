/**
 * One document: the form that creates it, and its page, where it is read,
 * changed (with `If-Match`, and a choice when someone else saved meanwhile),
 * refreshed, deleted and shared.
 *
 * @module screens/documents-detail
 */

import { ApiError } from "../api.js";
import { h, when } from "../dom.js";
import { clearErrors, readForm } from "../forms.js";
import { actionButton, choose, confirmAction, notify, onSubmit } from "../ui.js";
import { documentFields, fillForm } from "./documents-fields.js";
import { sharingSection } from "./documents-sharing.js";

/** `POST /-/documents/`, then the new document's page. @param {object} ctx */
export async function newDocumentScreen({ api, navigate }) {
  const form = h(
    "form",
    { novalidate: true },
    documentFields(),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, "Create"),
      h("a", { href: "/documents", class: "button secondary" }, "Cancel"),
    ),
  );
  onSubmit(form, async () => {
    const created = await api.post("/-/documents/", readForm(form));
    await navigate(`/documents/${encodeURIComponent(created.__meta__.id)}`);
    notify("Document created.");
  });
  return h("section", {}, h("h1", {}, "New document"), form);
}

/** Who owns the document, when it was made and changed, as the caller reads it. */
function about(meta, caller) {
  let owner = "another account";
  if (meta.owner === null) owner = "nobody (made by a team's key, or its owner's account was deleted)";
  else if (meta.owner === caller.id) owner = "you";
  return [
    `Owner: ${owner}. Created `,
    when(meta.created),
    ", last changed ",
    when(meta.modified),
    ` (version ${meta.version}).`,
  ];
}

/** The page of `/-/documents/{id}`, drawn from its GET (whose ETag the API client keeps). @param {object} ctx */
export async function documentScreen({ api, session, params, navigate }) {
  const url = `/-/documents/${encodeURIComponent(params.id)}`;
  let doc = await api.get(url);
  const { permissions } = doc.__meta__;
  const canEdit = permissions.includes("edit");

  const heading = h("h1", {}, doc.title);
  const meta = h("p", { class: "muted" });
  const fields = documentFields();
  const form = h(
    "form",
    { novalidate: true },
    canEdit
      ? fields
      : h("fieldset", { disabled: true }, h("legend", {}, "You may read this document, not change it."), fields),
    h(
      "div",
      { class: "actions" },
      canEdit && h("button", { type: "submit" }, "Save"),
      actionButton("Refresh", refresh, { class: "secondary" }),
      permissions.includes("delete") && actionButton("Delete", remove, { class: "danger" }),
    ),
  );
  const owned = doc.__meta__.owner === session.caller.id;
  const sharing = owned ? await sharingSection(api, url, adopt) : null;

  /** Show `next` everywhere: heading, metadata, form, sharing. */
  function draw(next) {
    doc = next;
    if (heading.isConnected) document.title = document.title.replace(heading.textContent, next.title);
    heading.textContent = next.title;
    meta.replaceChildren(...about(next.__meta__, session.caller));
    clearErrors(form);
    fillForm(form, next);
    sharing?.update(next);
  }

  /**
   * The document after a change of its sharing: the form keeps what is being
   * typed in it when that change is the only one since it was drawn.
   */
  function adopt(next) {
    if (next.__meta__.version === doc.__meta__.version + 1) {
      doc = next;
      meta.replaceChildren(...about(next.__meta__, session.caller));
      return;
    }
    draw(next);
    notify("This document was also changed elsewhere: the form now shows its latest version.");
  }

  async function refresh() {
    const { data, unchanged } = await api.refresh(url);
    if (unchanged) {
      notify("No changes since the last load.");
      return;
    }
    draw(data);
    notify("This document changed since the last load: the form now shows its latest version.");
  }

  /** Someone else saved since the form was drawn: take their version, or write over it, or go on editing. */
  async function resolveConflict(mine) {
    const chosen = await choose(
      "Changed elsewhere",
      "This document was saved elsewhere since you opened it. Your changes are not saved yet.",
      [
        { value: "reload", label: "Reload their version" },
        { value: "overwrite", label: "Overwrite with mine" },
      ],
    );
    if (chosen === "reload") {
      draw(await api.get(url));
      notify("The form now shows the version saved elsewhere; your changes were dropped.");
    } else if (chosen === "overwrite") {
      draw(await api.put(url, mine, { overwrite: true }));
      notify("Saved: your version replaced the one saved elsewhere.");
    } else {
      notify("Not saved: the form keeps your changes.");
    }
    form.elements.namedItem("title").focus();
  }

  async function remove() {
    if (!(await confirmAction(`Delete “${doc.title}”?`, "Delete"))) return;
    await api.delete(url);
    await navigate("/documents");
    notify(`Deleted “${doc.title}”.`);
  }

  onSubmit(form, async () => {
    const mine = readForm(form);
    try {
      draw(await api.put(url, mine));
      notify("Saved.");
    } catch (error) {
      if (!(error instanceof ApiError) || !error.conflict) throw error;
      await resolveConflict(mine);
    }
  });

  draw(doc);
  return h("section", {}, heading, meta, form, sharing?.element);
}
