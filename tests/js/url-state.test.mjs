// The Graph lab's view in the URL (static/src/graph/url-state.js), with the browser's
// location and history stood in for by plain objects.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { readHash, writeHash } from "../../static/src/graph/url-state.js";

beforeEach(() => {
  globalThis.location = { hash: "" };
  globalThis.history = { replaceState: (_state, _title, url) => { globalThis.location.hash = url; } };
});

const VIEWS = [
  { source: "z = 2(a − b) + c", values: { a: 3, b: 1, c: 0.5 }, output: null, selected: null, dtype: "float32", example: null },
  { source: "loss = mean((w*x + b - y)**2)", values: { w: 1, x: [1, 2], y: [[3]] }, output: "loss", selected: "w", dtype: "float64", example: "line-fit" },
  { source: "s = '#&?'  # a comment", values: {}, output: null, selected: null, dtype: "float32", example: null },
];
for (const view of VIEWS) {
  test(`writeHash then readHash gives the view back: ${view.source}`, () => {
    writeHash(view);
    assert.ok(globalThis.location.hash.startsWith("#"));
    assert.deepEqual(readHash(), view);
  });
}

const HASHES = [
  // [location.hash, what readHash answers]
  ["", null],
  ["#", null],
  ["#not-json", null],
  [`#${encodeURIComponent(JSON.stringify({ v: { a: 1 } }))}`, null], // no program text
  [`#${encodeURIComponent(JSON.stringify({ s: "y = x" }))}`, { source: "y = x", values: {}, output: null, selected: null, dtype: "float32", example: null }],
];
for (const [hash, expected] of HASHES) {
  test(`readHash(${JSON.stringify(hash)})`, () => {
    globalThis.location.hash = hash;
    assert.deepEqual(readHash(), expected);
  });
}
