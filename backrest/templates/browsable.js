"use strict";
// The browsable page's forms. HTML forms can only GET or POST: each form is
// sent here, with the method it names, the session's CSRF token and the ETag
// of what the page shows. A refusal puts each error next to its field and
// in the form's live region.

async function csrfToken() {
  const response = await fetch(document.body.dataset.csrfSource, {
    credentials: "same-origin",
    headers: {"Accept": "application/json"},
  });
  return response.ok ? (await response.json()).csrf_token || "" : "";
}

// A name is the data-key, or the place among its siblings, of every group
// around the control, so that adding or removing items renumbers the rest.
function pathOf(element, form) {
  const parts = [];
  for (let node = element; node && node !== form; node = node.parentElement) {
    if (node.dataset.key) {
      parts.unshift(node.dataset.key);
    } else if (node.hasAttribute("data-item")) {
      parts.unshift(String(Array.from(node.parentElement.children).indexOf(node)));
    } else if (node.hasAttribute("data-pair")) {
      parts.unshift(node.querySelector(".pair-key").value);
    }
  }
  return parts.join(".");
}

function idFor(form, path) {
  return form.id + "--" + path.replace(/[^A-Za-z0-9_.-]/g, "_");
}

function rename(form) {
  for (const control of form.querySelectorAll("[name]")) {
    if (control.closest("template")) {
      continue;
    }
    const path = pathOf(control.hasAttribute("data-marker") ? control.parentElement : control, form);
    control.name = control.hasAttribute("data-marker") ? path + "." : path;
  }
  // Items added or removed: their ids follow their new places.
  for (const item of form.querySelectorAll("[data-item], [data-pair]")) {
    if (item.closest("template")) {
      continue;
    }
    const path = pathOf(item, form);
    item.querySelector(":scope > .error").id = idFor(form, path) + "-error";
    const control = item.querySelector(":scope > input[name], :scope > select, :scope > textarea");
    if (control) {
      control.id = idFor(form, path);
    }
  }
}

// datetime-local inputs show UTC: the contract's timestamps end in Z.
function value(control) {
  return control.hasAttribute("data-utc") && control.value ? control.value + "Z" : control.value;
}

function included(control) {
  if (control.disabled || control.closest("template")) {
    return false;
  }
  if ((control.type === "checkbox" || control.type === "radio") && !control.checked) {
    return false;
  }
  if (control.type === "file") {
    return control.files.length > 0;
  }
  const pair = control.closest("[data-pair]");
  if (pair && !pair.querySelector(".pair-key").value) {
    return false;
  }
  const inItem = control.closest("[data-item], [data-pair]");
  return !((control.hasAttribute("data-omit-empty") || inItem) && control.value === "");
}

// The fields to send, as [name, value] pairs; an edit sends only the
// top-level fields a person changed (PUT updates the keys it is given).
// The controls of optional objects left empty: such an object is not sent.
function emptyOptionalControls(form) {
  const empty = new Set();
  for (const group of form.querySelectorAll("fieldset[data-optional]")) {
    const controls = Array.from(group.querySelectorAll("[name]")).filter(included);
    if (controls.every((control) => control.value === "")) {
      controls.forEach((control) => empty.add(control));
    }
  }
  return empty;
}

function entries(form) {
  rename(form);
  const pairs = [];
  const empty = emptyOptionalControls(form);
  for (const control of form.querySelectorAll("[name]")) {
    if (!included(control) || empty.has(control)) {
      continue;
    }
    if (control.type === "file") {
      pairs.push([control.name, control.files[0]]);
    } else {
      pairs.push([control.name, value(control)]);
    }
  }
  if (!form.hasAttribute("data-changed-only")) {
    return pairs;
  }
  const changed = changedKeys(form);
  return pairs.filter(([name]) => changed.has(name.split(".")[0]));
}

const snapshots = new WeakMap();

// What a top-level field sends now, to tell whether a person changed it.
function fieldText(form, group) {
  return JSON.stringify(Array.from(group.querySelectorAll("[name]")).filter(included)
    .map((control) => [pathOf(control, form), control.type === "file" ? control.files.length : value(control)]));
}

function topFields(form) {
  return Array.from(form.querySelectorAll(":scope > [data-key]"));
}

function snapshot(form) {
  snapshots.set(form, new Map(topFields(form).map((group) => [group.dataset.key, fieldText(form, group)])));
}

function changedKeys(form) {
  const before = snapshots.get(form);
  return new Set(topFields(form)
    .filter((group) => fieldText(form, group) !== before.get(group.dataset.key))
    .map((group) => group.dataset.key));
}

function clearErrors(form) {
  form.querySelector(".summary").textContent = "";
  for (const slot of form.querySelectorAll(".error")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    const describedBy = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-error"));
    if (describedBy.length) {
      control.setAttribute("aria-describedby", describedBy.join(" "));
    } else {
      control.removeAttribute("aria-describedby");
    }
  }
}

// The control an error names (tags.2, address.city), or the nearest group.
function controlFor(form, name) {
  const controls = Array.from(form.querySelectorAll("[name]")).filter((control) => !control.closest("template"));
  for (let path = name; path; path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "") {
    const found = controls.find((control) => control.type !== "hidden" && pathOf(control, form) === path)
      || controls.find((control) => control.hasAttribute("data-marker") && pathOf(control.parentElement, form) === path);
    if (found) {
      return found;
    }
  }
  return null;
}

function showErrors(form, response, body) {
  const errors = (body && Array.isArray(body.errors)) ? body.errors : [];
  const unplaced = [];
  let first = null;
  for (const error of errors) {
    const control = error.name ? controlFor(form, error.name) : null;
    const slot = control && control.closest(".item, .field").querySelector(".error");
    if (!slot) {
      unplaced.push((error.name ? error.name + ": " : "") + error.description);
      continue;
    }
    slot.textContent = slot.textContent ? slot.textContent + " " + error.description : error.description;
    slot.hidden = false;
    control.setAttribute("aria-invalid", "true");
    const describedBy = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    describedBy.add(slot.id);
    control.setAttribute("aria-describedby", Array.from(describedBy).join(" "));
    first = first || control;
  }
  const count = errors.length === 1 ? "1 problem" : errors.length + " problems";
  form.querySelector(".summary").textContent = [
    response.status + " " + response.statusText + ": " + count + ".", ...unplaced].join("\n");
  if (first) {
    first.focus();
  }
}

function requestFor(form, pairs, token) {
  const headers = {"Accept": "application/json", "X-CSRF-Token": token};
  if (form.dataset.ifMatch) {
    headers["If-Match"] = form.dataset.ifMatch;
  }
  if (form.enctype === "multipart/form-data") {
    const body = new FormData();
    for (const [name, item] of pairs) {
      body.append(name, item);
    }
    return {method: form.dataset.method, credentials: "same-origin", headers: headers, body: body};
  }
  headers["Content-Type"] = "application/x-www-form-urlencoded";
  return {method: form.dataset.method, credentials: "same-origin", headers: headers, body: new URLSearchParams(pairs)};
}

async function readJSON(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

async function search(form) {
  const url = form.action + "?" + new URLSearchParams(entries(form).filter(([, text]) => text !== ""));
  // Checked first, so that a bad filter is shown next to its field, not as a page of JSON.
  const response = await fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}});
  if (!response.ok) {
    showErrors(form, response, await readJSON(response));
    return;
  }
  window.location.assign(url);
}

async function submit(form) {
  clearErrors(form);
  if (form.dataset.method === "GET") {
    await search(form);
    return;
  }
  const response = await fetch(form.action, requestFor(form, entries(form), await csrfToken()));
  const body = response.status === 204 ? null : await readJSON(response);
  if (!response.ok) {
    showErrors(form, response, body);
  } else if (form.dataset.then === "result") {
    const result = form.querySelector(".result");
    result.textContent = JSON.stringify(body, null, 2);
    result.hidden = false;
  } else if (form.dataset.then === "location" && response.headers.get("Location")) {
    window.location.assign(response.headers.get("Location"));
  } else if (form.dataset.then === "leave") {
    window.location.assign(form.dataset.leaveTo);
  } else {
    window.location.reload();
  }
}

function addItem(button) {
  const template = button.parentElement.querySelector(":scope > template");
  const items = button.parentElement.querySelector(":scope > .items");
  items.appendChild(template.content.cloneNode(true));
  rename(button.closest("form"));
  const added = items.lastElementChild.querySelector("input, select, textarea");
  if (added) {
    added.focus();
  }
}

for (const form of document.querySelectorAll("form[data-method]")) {
  snapshot(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form).catch((error) => { form.querySelector(".summary").textContent = String(error); });
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-add], button[data-remove]");
    if (!button) {
      return;
    }
    if (button.hasAttribute("data-add")) {
      addItem(button);
    } else {
      button.parentElement.remove();
      rename(form);
    }
  });
}
