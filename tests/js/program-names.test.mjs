// Guessing a program's inputs from its text (static/src/graph/program-names.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { guessInputs } from "../../static/src/graph/program-names.js";

const FUNCTIONS = new Set(["sin", "exp", "mean", "sum", "relu", "sigmoid", "bce"]);
const CASES = [
  // [program, inputs in order of first use]
  ["z = 2*d + c", ["d", "c"]],
  ["d = a - b\nz = 2*d + c", ["a", "b", "c"]],
  ["loss = mean((w*x + b - y)**2)", ["w", "x", "b", "y"]],
  ["y = sin(x) + sin", ["x", "sin"]], // a function name not called is a name
  ["p = sigmoid(w1*x1 + w2*x2 + b); loss = bce(p, t)", ["w1", "x1", "w2", "x2", "b", "t"]],
  ["y = x # w is only in a comment", ["x"]],
  ["y = x.T @ w", ["x", "w"]], // .T is an attribute, not a name
  ["y = 1e-3 * x2", ["x2"]],
  ["a == b", ["a", "b"]], // a comparison assigns nothing
  ["", []],
];
for (const [source, expected] of CASES) {
  test(`guessInputs(${JSON.stringify(source)})`, () => assert.deepEqual(guessInputs(source, FUNCTIONS), expected));
}
