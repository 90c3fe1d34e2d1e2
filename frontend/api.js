/**
 * The backrest JSON API for a single-page app: one ES module, no
 * dependencies, no build step.
 *
 * - Cookies: every request is sent with `credentials: "include"`, so the
 *   session cookie goes along, on the API's own origin or from an origin
 *   listed in `backrest.cors.origins`.
 * - CSRF: the session's token (`csrf_token`) is read from `GET /-/login` and
 *   from the answers of the account services, kept in memory only, and sent
 *   as `X-CSRF-Token` on POST, PUT, PATCH and DELETE. Call `loginStatus()`
 *   once when the app starts.
 * - Errors: every failure, from the server or the network, is an {@link ApiError}.
 * - ETags: the ETag of each URL read is remembered, for `refresh()`
 *   (`If-None-Match`) and for the writes to the same URL (`If-Match`).
 *
 * @example
 * import { createApi, ApiError } from "./api.js";
 *
 * const api = createApi();
 * const me = await api.loginStatus();
 * const doc = await api.get(`/-/documents/${id}`);
 * try {
 *   await api.put(`/-/documents/${id}`, { ...doc, title: "New title" });
 * } catch (error) {
 *   if (!(error instanceof ApiError)) throw error;
 *   if (error.conflict) offerReload();            // changed by someone else meanwhile
 *   else showFieldErrors(error.fieldErrors);      // { title: ["..."], "attributes.color": ["..."] }
 * }
 *
 * @module api
 */

const CSRF_HEADER = "X-CSRF-Token";
const ABSOLUTE = /^https?:\/\//i;
/** URLs whose answers are remembered for conditional requests, at most: the oldest goes first. */
const REMEMBERED = 200;
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const OFFLINE = "The server could not be reached.";
const ABORTED = "The request was cancelled.";

/**
 * One entry of the API's error list.
 * @typedef {object} ErrorDetail
 * @property {"body"|"querystring"|"header"|"path"|"cookie"|"request"} location
 * @property {string|null} name The field, parameter or header at fault; dotted for nested fields (`address.city`).
 * @property {string} description What is wrong, for a person.
 */

/** @typedef {{signal?: AbortSignal}} ReadOptions `signal` cancels the request (`error.aborted`). */

/**
 * Options of `put`, `patch` and `delete`. `If-Match` carries the ETag last
 * read from the same URL, so a change made meanwhile fails with 412
 * (`error.conflict`) instead of being overwritten. `overwrite: true` sends
 * `If-Match: *` instead, which any version matches: a server with
 * `backrest.require_if_match`, which answers 428 to a write without
 * `If-Match`, takes it as the writer's knowing choice.
 * @typedef {{overwrite?: boolean, signal?: AbortSignal}} WriteOptions
 */

/** A failed request: an error answer of the API, no answer at all, or a cancelled request. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {object} [details]
   * @param {number} [details.status] The HTTP status; 0 when no answer came.
   * @param {ErrorDetail[]} [details.errors] The API's error list, as the server sent it.
   * @param {string|null} [details.requestId] The `X-Request-Id` to quote to the server's operators.
   * @param {number|null} [details.retryAfter] Seconds to wait before trying again (429, 503).
   * @param {boolean} [details.offline] The server could not be reached.
   * @param {boolean} [details.aborted] The request was cancelled through its `AbortSignal`.
   * @param {unknown} [details.cause] The underlying error.
   */
  constructor(message, details = {}) {
    const { status = 0, errors = [], requestId = null, retryAfter = null, offline = false, aborted = false } = details;
    super(message, "cause" in details ? { cause: details.cause } : undefined);
    /** `"AbortError"` for a cancelled request, as `fetch` names its own. */
    this.name = aborted ? "AbortError" : "ApiError";
    this.status = status;
    this.errors = errors;
    const byField = new Map();
    for (const { location, name, description } of errors) {
      if (location === "body" && name) byField.set(name, [...(byField.get(name) ?? []), description]);
    }
    /** @type {Record<string, string[]>} The descriptions of the errors in the body, by field name. */
    this.fieldErrors = Object.fromEntries(byField);
    this.requestId = requestId;
    this.retryAfter = retryAfter;
    /** The session's last password check is too old: `reauthenticate(password)`, then try again. */
    this.reauthenticationRequired = errors.some((error) => error.name === "reauthentication");
    /** 412: the object changed since it was read (`If-Match` failed). */
    this.conflict = status === 412;
    this.offline = offline;
    this.aborted = aborted;
  }
}

/** `Retry-After` (delta-seconds or HTTP-date) as seconds from now; null without a valid one. */
function parseRetryAfter(value) {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** A body as JSON when it is JSON, as text otherwise, null when empty. */
function parseBody(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The parsed body of an answer from `fetch` or `XMLHttpRequest`; an ApiError thrown for any status but 2xx and 304. */
function parseAnswer(status, statusText, header, text) {
  const data = parseBody(text);
  if ((status >= 200 && status <= 299) || status === 304) return data;
  const errors = (Array.isArray(data?.errors) ? data.errors : []).filter((e) => e !== null && typeof e === "object");
  const requestId = header("X-Request-Id") ?? (typeof data?.request_id === "string" ? data.request_id : null);
  const details = errors
    .map(({ name, description }) => (name ? `${name}: ${description}` : description))
    .filter(Boolean)
    .join("; ");
  let message = [status, statusText].filter(Boolean).join(" ");
  if (details) message += `: ${details}`;
  if (requestId) message += ` (request ${requestId})`;
  throw new ApiError(message, { status, errors, requestId, retryAfter: parseRetryAfter(header("Retry-After")) });
}

/**
 * A client of one backrest API.
 * @param {object} [options]
 * @param {string} [options.baseUrl] Prefix of the API's paths (`"https://api.example.org"`); `""`: the page's origin.
 * @param {typeof globalThis.fetch} [options.fetch] The `fetch` to use.
 * @param {typeof globalThis.XMLHttpRequest} [options.XMLHttpRequest] The `XMLHttpRequest` to use for uploads.
 */
export function createApi({ baseUrl = "", fetch = globalThis.fetch, XMLHttpRequest = globalThis.XMLHttpRequest } = {}) {
  /** The session's CSRF token, in memory only; null without a session. */
  let csrfToken = null;
  /** @type {Map<string, {etag: string, data: any}>} The last answer with an ETag, by URL. */
  const remembered = new Map();

  /** Paths are relative to `baseUrl`; absolute URLs (`next`, `download` links) are used as they are. */
  const urlOf = (path) => (ABSOLUTE.test(path) ? path : baseUrl + path);
  /** The API's origin; null for the page's own where there is no page (Node.js). */
  const apiOrigin = ABSOLUTE.test(baseUrl) ? new URL(baseUrl).origin : (globalThis.location?.origin ?? null);
  /** Whether `url` (as {@link urlOf} gives it) is the API's: the CSRF token goes nowhere else. */
  const isApi = (url) => !ABSOLUTE.test(url) || new URL(url).origin === apiOrigin;

  function headersFor(method, url, extra) {
    const headers = { Accept: "application/json", ...extra };
    if (UNSAFE_METHODS.has(method) && csrfToken && isApi(url)) headers[CSRF_HEADER] = csrfToken;
    return headers;
  }

  function keepToken(data) {
    if (typeof data?.csrf_token === "string") csrfToken = data.csrf_token || null;
  }

  function remember(url, { etag, data }) {
    remembered.delete(url);
    if (!etag) return;
    remembered.set(url, { etag, data });
    // Every list URL (each search, order and page) has its own entry: keep the most recent ones.
    if (remembered.size > REMEMBERED) remembered.delete(remembered.keys().next().value);
  }

  /** @returns {Promise<{status: number, etag: string|null, data: any}>} */
  async function send(method, path, { body, headers, signal } = {}) {
    const init = { method, credentials: "include", headers: headersFor(method, urlOf(path), headers), signal };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    let response, text;
    try {
      response = await fetch(urlOf(path), init);
      text = await response.text();
    } catch (error) {
      const aborted = error?.name === "AbortError";
      throw new ApiError(aborted ? ABORTED : OFFLINE, { aborted, offline: !aborted, cause: error });
    }
    const data = parseAnswer(response.status, response.statusText, (name) => response.headers.get(name), text);
    // Account services answer `{"status": "success", "csrf_token": ...}` when they start a session.
    if (data?.status === "success") keepToken(data);
    return { status: response.status, etag: response.headers.get("ETag"), data };
  }

  /**
   * PUT, PATCH or DELETE of one object, with `If-Match` when its ETag is known;
   * remembers the answer's new ETag (none after a DELETE).
   */
  async function write(method, path, body, { overwrite = false, signal } = {}) {
    const url = urlOf(path);
    const ifMatch = overwrite ? "*" : remembered.get(url)?.etag;
    const answer = await send(method, path, { body, signal, headers: ifMatch && { "If-Match": ifMatch } });
    remember(url, answer);
    return answer.data;
  }

  /**
   * `GET /-/login`: who is logged in (`authenticated`, and the profile fields), and the session's CSRF token.
   * @returns {Promise<{authenticated: boolean, csrf_token: string}>}
   */
  async function loginStatus() {
    const { data } = await send("GET", "/-/login");
    keepToken(data);
    return data;
  }

  return {
    /**
     * Any other request (OPTIONS, typed methods...); answers the parsed body, null for an empty one.
     * @param {string} method @param {string} path
     * @param {{body?: any, headers?: Record<string, string>, signal?: AbortSignal}} [options] `body` is sent as JSON.
     */
    request: async (method, path, options) => (await send(method.toUpperCase(), path, options)).data,

    /**
     * GET, remembering the answer's ETag; answers the parsed body.
     * @param {string} path @param {ReadOptions} [options]
     */
    async get(path, { signal } = {}) {
      const answer = await send("GET", path, { signal });
      remember(urlOf(path), answer);
      return answer.data;
    },

    /**
     * GET with `If-None-Match` when the URL's ETag is known: on 304, `unchanged` and the very object read before.
     * @param {string} path @param {ReadOptions} [options]
     * @returns {Promise<{data: any, unchanged: boolean}>}
     */
    async refresh(path, { signal } = {}) {
      const url = urlOf(path);
      const known = remembered.get(url);
      const answer = await send("GET", path, { signal, headers: known && { "If-None-Match": known.etag } });
      if (answer.status === 304) return { data: known.data, unchanged: true };
      remember(url, answer);
      return { data: answer.data, unchanged: false };
    },

    /**
     * POST a JSON body, e.g. to create an object in a collection.
     * @param {string} path @param {any} body @param {ReadOptions} [options]
     */
    post: async (path, body, { signal } = {}) => (await send("POST", path, { body, signal })).data,

    /** @param {string} path @param {any} body @param {WriteOptions} [options] */
    put: (path, body, options) => write("PUT", path, body, options),
    /** @param {string} path @param {any} body @param {WriteOptions} [options] */
    patch: (path, body, options) => write("PATCH", path, body, options),
    /** @param {string} path @param {WriteOptions} [options] */
    delete: (path, options) => write("DELETE", path, undefined, options),

    loginStatus,

    /**
     * `PUT /-/login`: start a session and keep its CSRF token; forgets the ETags read before.
     * @param {string} login The email address. @param {string} password
     */
    async login(login, password) {
      const { data } = await send("PUT", "/-/login", { body: { login, password } });
      remembered.clear();
      if (typeof data?.csrf_token !== "string") await loginStatus();
      return data;
    },

    /** `PUT /-/logout`: end the session, then forget its CSRF token and the ETags read. */
    async logout() {
      const { data } = await send("PUT", "/-/logout", { body: {} });
      csrfToken = null;
      remembered.clear();
      return data;
    },

    /** `PUT /-/reauthenticate`: renew the password check, after `reauthenticationRequired`. @param {string} password */
    reauthenticate: async (password) => (await send("PUT", "/-/reauthenticate", { body: { password } })).data,

    /**
     * Upload with progress, through XMLHttpRequest (fetch reports no upload progress).
     * A `FormData` is sent as it is (`POST /-/{collection}/`: a `file` field and
     * metadata fields). A `File` or `Blob` goes in a `file` field with POST, or
     * is the raw body with PUT (`PUT /-/{collection}/{id}/data`).
     *
     * @param {string} path
     * @param {FormData|Blob} body
     * @param {object} [options]
     * @param {"POST"|"PUT"} [options.method]
     * @param {(fraction: number) => void} [options.onProgress] Called with 0..1; with 1 once the upload succeeded.
     * @param {AbortSignal} [options.signal] Cancels the upload: the promise rejects with `aborted` true.
     * @returns {Promise<any>} The parsed answer.
     */
    upload(path, body, { method = "POST", onProgress, signal } = {}) {
      method = method.toUpperCase();
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(new ApiError(ABORTED, { aborted: true }));
        const xhr = new XMLHttpRequest();
        xhr.open(method, urlOf(path));
        xhr.withCredentials = true;
        for (const [name, value] of Object.entries(headersFor(method, urlOf(path)))) xhr.setRequestHeader(name, value);
        let payload = body;
        if (!(body instanceof FormData)) {
          if (method === "POST") {
            payload = new FormData();
            payload.append("file", body);
          } else {
            xhr.setRequestHeader("Content-Type", body.type || "application/octet-stream");
          }
        }
        const cancel = () => {
          xhr.abort();
          reject(new ApiError(ABORTED, { aborted: true }));
        };
        const done = () => signal?.removeEventListener("abort", cancel);
        if (onProgress) {
          xhr.upload.onprogress = (event) => {
            if (event.lengthComputable && event.total > 0) onProgress(Math.min(1, event.loaded / event.total));
          };
        }
        xhr.onload = () => {
          done();
          try {
            const header = (name) => xhr.getResponseHeader(name);
            const data = parseAnswer(xhr.status, xhr.statusText, header, xhr.responseText);
            onProgress?.(1);
            resolve(data);
          } catch (error) {
            reject(error);
          }
        };
        xhr.onerror = () => {
          done();
          reject(new ApiError(OFFLINE, { offline: true }));
        };
        signal?.addEventListener("abort", cancel, { once: true });
        xhr.send(payload);
      });
    },
  };
}
