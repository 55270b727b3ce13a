// The JSON API client: strict JSON in, non-finite numbers arrive as "NaN"/"Infinity" strings.

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

/** POST a JSON body to an API path and return the decoded answer, or throw ApiError. */
export async function postJson(path, body, { signal } = {}) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  return readAnswer(response);
}

/** GET an API path and return the decoded answer. */
export async function getJson(path) {
  return readAnswer(await fetch(path));
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
