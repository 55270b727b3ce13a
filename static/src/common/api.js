// The JSON API client, and the only place the pages talk to the server: strict JSON in,
// non-finite numbers arrive as "NaN"/"Infinity" strings and leave as numbers.

const NON_FINITE = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/** Turn the API's non-finite strings back into numbers, recursively. */
export function decodeNumbers(value) {
  if (typeof value === "string" && value in NON_FINITE) return NON_FINITE[value];
  if (Array.isArray(value)) return value.map(decodeNumbers);
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeNumbers(v);
    return out;
  }
  return value;
}

/** An error answer of the API: `detail` is its `error` object (type, message, line, column, span). */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail.message || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

/** Send a request to an API path and return the decoded answer, or throw ApiError. */
async function request(method, path, { json, text, signal, token } = {}) {
  const init = { method, signal, headers: {} };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (text !== undefined) {
    init.headers["Content-Type"] = "text/csv";
    init.body = text;
  }
  return readAnswer(await fetch(path, init));
}

/** GET an API path. */
export const getJson = (path) => request("GET", path);
/** POST a JSON body (`token`: a run's bearer token, for the commands that need it). */
export const postJson = (path, body, { signal, token } = {}) => request("POST", path, { json: body, signal, token });
/** PATCH a JSON body. */
export const patchJson = (path, body, { token } = {}) => request("PATCH", path, { json: body, token });
/** POST a CSV text (checked by the server before a run uses it). */
export const postCsv = (path, text) => request("POST", path, { text });

/** The event stream of a path: `handlers[event](decoded data)`; returns the EventSource. */
export function openEvents(path, handlers) {
  const source = new EventSource(path);
  for (const [event, handler] of Object.entries(handlers)) {
    source.addEventListener(event, event === "error" ? handler : (e) => handler(decodeNumbers(JSON.parse(e.data))));
  }
  return source;
}

async function readAnswer(response) {
  const text = await response.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(response.status, { type: "bad_response", message: text.slice(0, 200) });
  }
  if (!response.ok) {
    throw new ApiError(response.status, parsed?.error || { type: "http", message: `HTTP ${response.status}` });
  }
  return decodeNumbers(parsed);
}
