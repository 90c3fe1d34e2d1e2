/**
 * Uploading files: a drop zone that is also a file input, and a row for
 * each upload with its progress and a button to cancel it.
 *
 * The area is made once and shown again on every drawing of the list, so an
 * upload keeps its row (and can still be cancelled) while the person pages
 * or searches through their files.
 */

import { ApiError } from "../api.js";
import { field, h, size, uniqueId } from "../dom.js";
import { describe, notify, report } from "../ui.js";

/** @type {{element: HTMLElement, owner: string, uploaded: (file: object) => void} | null} */
let area = null;

/**
 * The upload area of the person signed in (another person gets a new one);
 * `uploaded` is called with the representation of each file whose upload
 * succeeded: the latest call's function, wherever the upload was started.
 *
 * @param {ReturnType<import("../api.js").createApi>} api
 * @param {string} owner The id of the person signed in.
 * @param {(file: object) => void} uploaded
 * @returns {HTMLElement}
 */
export function uploadArea(api, owner, uploaded) {
  if (area?.owner !== owner) area = { element: createArea(api), owner, uploaded };
  area.uploaded = uploaded;
  return area.element;
}

function createArea(api) {
  const description = h("input", { name: "description", maxlength: 10000, autocomplete: "off" });
  const input = h("input", { type: "file", name: "file", multiple: true });
  const rows = h("ul", { class: "uploads", "aria-label": "Uploads" });
  const clear = h("button", { type: "button", class: "secondary", hidden: true }, "Clear finished uploads");
  const panel = h("div", { hidden: true }, rows, h("div", { class: "actions" }, clear));

  const tidy = () => {
    panel.hidden = rows.children.length === 0;
    clear.hidden = !rows.querySelector(".finished");
  };
  const rowsGone = (...gone) => {
    for (const row of gone) row.remove();
    tidy();
    input.focus();
  };
  clear.addEventListener("click", () => rowsGone(...rows.querySelectorAll(".finished")));
  const start = (files) => {
    for (const file of files) rows.append(uploadRow(api, file, description.value, { tidy, rowsGone }));
    tidy();
  };
  input.addEventListener("change", () => {
    start([...input.files]);
    input.value = "";
  });

  const over = (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("over");
  };
  const zone = h(
    "div",
    {
      class: "dropzone",
      ondragenter: over,
      ondragover: over,
      ondragleave: (event) => {
        if (!zone.contains(event.relatedTarget)) zone.classList.remove("over");
      },
      ondrop: (event) => {
        event.preventDefault();
        zone.classList.remove("over");
        start([...(event.dataTransfer?.files ?? [])]);
      },
    },
    h("p", {}, "Drop files here, or choose them."),
    field("Choose files", input),
  );
  return h(
    "section",
    { "aria-labelledby": "upload-heading" },
    h("h2", { id: "upload-heading" }, "Upload"),
    field("Description", description, "Given to each file uploaded next; you can change it later."),
    zone,
    panel,
  );
}

/**
 * One upload, started at once; the row answered shows its progress, then its
 * outcome, with a button to dismiss it.
 */
function uploadRow(api, file, description, { tidy, rowsGone }) {
  const controller = new AbortController();
  const nameId = uniqueId("upload");
  const name = h("span", { id: nameId }, file.name);
  const state = h("span", { class: "state" }, "Uploading");
  const progress = h("progress", { max: 1, value: 0, "aria-labelledby": nameId });
  const percent = h("span", { class: "percent" }, "0%");
  const cancel = h(
    "button",
    { type: "button", class: "secondary", "aria-label": `Cancel ${file.name}`, onclick: () => controller.abort() },
    "Cancel",
  );
  const row = h(
    "li",
    {},
    h("div", {}, name, ` (${size(file.size)}): `, state),
    h("div", { class: "actions" }, progress, percent, cancel),
  );

  const showProgress = (fraction) => {
    progress.value = fraction;
    percent.textContent = `${Math.floor(fraction * 100)}%`;
    if (fraction === 1) state.textContent = "Saving";
  };
  const finish = () => {
    const dismiss = h(
      "button",
      { type: "button", class: "secondary", "aria-label": `Dismiss ${file.name}`, onclick: () => rowsGone(row) },
      "Dismiss",
    );
    const hadFocus = document.activeElement === cancel;
    cancel.replaceWith(dismiss);
    if (hadFocus) dismiss.focus();
    row.classList.add("finished");
    tidy();
  };

  const form = new FormData();
  if (description) form.append("description", description);
  form.append("file", file, file.name);
  api.upload("/-/files/", form, { onProgress: showProgress, signal: controller.signal }).then(
    (created) => {
      state.textContent = "Uploaded";
      name.replaceChildren(h("a", { href: `/files/${encodeURIComponent(created.__meta__.id)}` }, created.filename));
      finish();
      area.uploaded(created);
      notify(`Uploaded ${created.filename}.`);
    },
    (error) => {
      if (!(error instanceof ApiError)) throw error;
      progress.remove();
      percent.remove();
      state.textContent = describe(error);
      if (error.aborted) notify(`Cancelled the upload of ${file.name}.`);
      else {
        state.classList.add("field-error");
        report(error);
      }
      finish();
    },
  );
  return row;
}
