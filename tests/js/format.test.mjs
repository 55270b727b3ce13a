// Number formatting and colours (static/src/common/format.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { diverging, flatten, fmt, fmtFactor, fmtShape, summary } from "../../static/src/common/format.js";

const FMT = [
  // [value, digits, text]
  [0, 4, "0"],
  [2, 4, "2"],
  [-2, 4, "−2"],
  [3.14159, 4, "3.142"],
  [0.1 + 0.2, 4, "0.3"],
  [1234567, 4, "1.235e6"],
  [0.00001234, 4, "1.234e−5"],
  [-0.00001, 4, "−1e−5"],
  [2.5, 2, "2.5"],
  [NaN, 4, "NaN"],
  [Infinity, 4, "∞"],
  [-Infinity, 4, "−∞"],
  [null, 4, "–"],
  [undefined, 4, "–"],
  ["text", 4, "text"],
];
for (const [value, digits, text] of FMT) {
  test(`fmt(${String(value)}, ${digits}) = ${text}`, () => assert.equal(fmt(value, digits), text));
}

for (const [value, text] of [[2, "2"], [-1, "(−1)"], [0, "0"]]) {
  test(`fmtFactor(${value})`, () => assert.equal(fmtFactor(value), text));
}

for (const [shape, text] of [[[], "scalar"], [[3], "3"], [[3, 2], "3×2"], [null, "scalar"]]) {
  test(`fmtShape(${JSON.stringify(shape)})`, () => assert.equal(fmtShape(shape), text));
}

test("flatten and summary skip nothing but the mean's non-finite entries", () => {
  assert.deepEqual(flatten([[1, [2]], 3]), [1, 2, 3]);
  assert.deepEqual(flatten(4), [4]);
  assert.deepEqual(summary([[1, 2], [3, NaN]]), { min: 1, max: 3, mean: 2, count: 4 });
});

for (const [t, colour] of [[0, "rgb(246,246,244)"], [1, "rgb(37,99,235)"], [-1, "rgb(203,52,42)"], [-5, "rgb(203,52,42)"], [NaN, "rgb(120,120,120)"]]) {
  test(`diverging(${t})`, () => assert.equal(diverging(t), colour));
}
