/**
 * One file's screen: what is known of it, its download link, a preview of
 * the images a browser shows safely, its fields to edit, and its deletion.
 */

import { ApiError } from "../api.js";
import { field, h, size, when } from "../dom.js";
import { readForm } from "../forms.js";
import { choose, confirmAction, notify, onClick, onSubmit } from "../ui.js";

/** Raster images only: no SVG (it can carry script), nothing a browser would run or render as a page. */
const PREVIEWED = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/** Larger images are not fetched for a preview: the download link is there for them. */
const PREVIEW_LIMIT = 20 * 1024 * 1024;

/** Call `action` once `element` has left the page: another screen was drawn in place of its own. */
function whenLeft(element, action) {
  const observer = new MutationObserver(() => {
    if (element.isConnected) return;
    observer.disconnect();
    action();
  });
  observer.observe(document.getElementById("app"), { childList: true });
}

/**
 * The preview of an image: its data fetched with the session's cookie, and
 * shown from a `blob:` URL (the page's policy allows images from there).
 * Leaving the screen cancels the fetch, or revokes the URL.
 */
function preview(file) {
  if (!PREVIEWED.has(file.content_type)) {
    return h("p", { class: "muted" }, "No preview: only PNG, JPEG, GIF and WebP images are shown here.");
  }
  if (file.size > PREVIEW_LIMIT) {
    return h("p", { class: "muted" }, `No preview: the image is larger than ${size(PREVIEW_LIMIT)}.`);
  }
  const figure = h("figure", {}, h("p", { class: "muted" }, "Loading the preview…"));
  const loading = new AbortController();
  let url = null;
  whenLeft(figure, () => {
    loading.abort();
    if (url) URL.revokeObjectURL(url);
  });
  fetch(file.download, { credentials: "include", signal: loading.signal })
    .then((response) => {
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      return response.blob();
    })
    .then(
      (blob) => {
        if (loading.signal.aborted) return;
        url = URL.createObjectURL(blob);
        figure.replaceChildren(h("img", { class: "preview", src: url, alt: `Preview of ${file.filename}` }));
      },
      () => figure.replaceChildren(h("p", { class: "muted" }, "The preview could not be loaded.")),
    );
  return figure;
}

function owner(meta, caller) {
  if (meta.owner === null) return "A team (made with one of its keys)";
  return meta.owner === caller.id ? "You" : h("code", {}, meta.owner);
}

function facts(file, caller) {
  const meta = file.__meta__;
  const exact = file.size >= 1024 ? ` (${file.size} bytes)` : "";
  const rows = [
    ["Name", file.filename],
    ["Type", file.content_type],
    ["Size", `${size(file.size)}${exact}`],
    ["SHA-256", h("code", { class: "secret" }, file.sha256)],
    ["Created", when(meta.created)],
    ["Modified", when(meta.modified)],
    ["Owner", owner(meta, caller)],
    ["Visible to", file.public ? "Everybody" : "Only those it is shared with"],
  ];
  if (file.description) rows.push(["Description", file.description]);
  return h("dl", {}, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

/**
 * The form of the file's fields. A change someone else made meanwhile is
 * shown, or overwritten, as the person chooses.
 */
function editForm(file, path, { api, session, navigate }) {
  // Only the owner makes a file public or private.
  const mine = file.__meta__.owner === session.caller.id;
  const form = h(
    "form",
    {},
    field("Name", h("input", { name: "filename", value: file.filename, required: true, maxlength: 255 })),
    field("Description", h("textarea", { name: "description", value: file.description, maxlength: 10000 })),
    mine &&
      h(
        "div",
        { class: "field checkbox" },
        h("input", { type: "checkbox", name: "public", id: "file-public", checked: file.public }),
        " ",
        h("label", { for: "file-public" }, "Public: anybody may see and download it"),
      ),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save")),
  );
  const reload = () => navigate(window.location.pathname, { replace: true });
  return onSubmit(form, async () => {
    const changes = readForm(form);
    try {
      await api.put(path, changes);
    } catch (error) {
      if (!(error instanceof ApiError) || !error.conflict) throw error;
      const choice = await choose("This file changed meanwhile", "It was changed since you opened it.", [
        { value: "reload", label: "Show the new version" },
        { value: "overwrite", label: "Save mine anyway" },
      ]);
      if (choice === "reload") return reload();
      if (choice !== "overwrite") throw error;
      await api.put(path, changes, { overwrite: true });
    }
    await reload();
    notify("Saved.");
  });
}

/**
 * The screen of `/files/:id`.
 * @param {object} context The router's context: `api`, `session`, `params.id`, `navigate`.
 * @returns {Promise<HTMLElement>}
 */
export async function fileScreen({ api, session, params, navigate }) {
  const path = `/-/files/${encodeURIComponent(params.id)}`;
  const file = await api.get(path);
  const permissions = file.__meta__.permissions ?? [];
  const remove =
    permissions.includes("delete") &&
    onClick(h("button", { type: "button", class: "danger" }, "Delete"), async () => {
      if (!(await confirmAction(`Delete ${file.filename}?`, "Delete"))) return;
      await api.delete(path);
      await navigate("/files");
      notify(`Deleted ${file.filename}.`);
    });
  return h(
    "section",
    {},
    h("p", {}, h("a", { href: "/files" }, "All files")),
    h("h1", {}, file.filename),
    facts(file, session.caller),
    h(
      "div",
      { class: "actions" },
      h("a", { href: file.download, download: file.filename, class: "button" }, "Download"),
      remove,
    ),
    preview(file),
    permissions.includes("edit") && [h("h2", {}, "Edit"), editForm(file, path, { api, session, navigate })],
  );
}
