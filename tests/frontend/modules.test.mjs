// Every module of the app loads: each name it imports is exported where it
// says, and nothing at the top of a module needs a page. (app.js, the entry
// point, starts the app on the page, and is loaded by the browser tests.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const FRONTEND = new URL("../../frontend/", import.meta.url);

async function modules(directory) {
  const found = [];
  for (const entry of await readdir(fileURLToPath(directory), { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...(await modules(new URL(`${entry.name}/`, directory))));
    else if (entry.name.endsWith(".js")) found.push(new URL(entry.name, directory));
  }
  return found;
}

test("every module of the app but its entry point loads", async () => {
  const all = await modules(FRONTEND);
  const loaded = all.filter((url) => !url.pathname.endsWith("/frontend/app.js"));
  assert.ok(loaded.length > 5);
  for (const url of loaded) await import(url.href);
});
