// Features as structured values (static/src/train/features.js): parsing the API's names,
// labels, and what a run request carries.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SEND_FEATURE_OBJECTS, featureLabel, featureWire, legacyName, parseFeature } from "../../static/src/train/features.js";

const INPUTS = ["x1", "x2", "a^2"];
const CASES = [
  // [name of the API, the feature, its label]
  ["x1", "x1", "x1"],
  ["a^2", "a^2", "a^2"], // an input column named like a derived feature is the column
  ["x1^2", { op: "square", of: "x1" }, "x1²"],
  ["x1*x2", { op: "product", of: ["x1", "x2"] }, "x1·x2"],
  ["sin(x2)", { op: "sin", of: "x2" }, "sin x2"],
  ["<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"],
];
for (const [name, feature, label] of CASES) {
  test(`parseFeature(${name})`, () => {
    assert.deepEqual(parseFeature(name, INPUTS), feature);
    assert.equal(featureLabel(feature), label);
    if (typeof feature !== "string") assert.equal(legacyName(feature), name);
  });
}

test("a column goes out as its name, a derived feature as the server takes it", () => {
  assert.equal(featureWire("x1"), "x1");
  const square = { op: "square", of: "x1" };
  assert.deepEqual(featureWire(square), SEND_FEATURE_OBJECTS ? square : "x1^2");
});
