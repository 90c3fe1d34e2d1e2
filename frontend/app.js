/**
 * The reference single-page app's entry point: one API client for every
 * screen, and the caller's state shown in the page's header.
 */

import { ApiError, createApi } from "./api.js";

export const api = createApi();

const who = document.getElementById("who");
const status = document.getElementById("status");

/** Say who is signed in, from `GET /-/login` (which also gives the CSRF token). */
async function showCaller() {
  try {
    const caller = await api.loginStatus();
    who.textContent = caller.authenticated ? `Signed in as ${caller.email}` : "Not signed in";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.textContent = error.offline ? "The server cannot be reached." : error.message;
    status.classList.add("error");
  }
}

showCaller();
