// runRequest, configFromRun and datasetChoice (static/src/train/config.js): every preset the
// server serves, and a table of bodies, survive body → configuration → body.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { DEFAULT_CONFIG, configFromRun, datasetChoice, parseUnits, runRequest } from "../../static/src/train/config.js";

/** The server's preset table, read from the Python module itself (the oracle, not a copy). */
function serverPresets() {
  const python = process.env.PYTHON || ".venv/bin/python";
  const code = "import json; from app.train.presets import PRESETS; print(json.dumps(PRESETS))";
  return JSON.parse(execFileSync(python, ["-c", code], { encoding: "utf8" }));
}

/** Every field of `expected` is in `actual` with the same value (nested objects likewise). */
function assertFields(actual, expected, path = "body") {
  for (const [key, value] of Object.entries(expected)) {
    if (value && typeof value === "object" && !Array.isArray(value)) assertFields(actual[key], value, `${path}.${key}`);
    else assert.deepEqual(actual?.[key], value, `${path}.${key}`);
  }
}

const BODIES = [
  { dataset: { name: "spiral", n_samples: 500, noise: 0.1, seed: 0 }, model: { kind: "mlp", hidden: [8, 8], activation: "tanh" } },
  { dataset: { name: "moons" }, model: { kind: "mlp", hidden: [4, 3], activation: ["relu", "tanh"], dropout: 0.2, output: "sigmoid" }, loss: "bce" },
  { dataset: { name: "thermometer" }, model: { kind: "linear", init: { w: 1, b: 0 } }, normalize: true, batch_size: null },
  { dataset: { name: "circle" }, model: { kind: "logistic" }, features: ["x1", "x2", "x1^2"], regularization: { kind: "l1", rate: 0.01 } },
  { dataset: { name: "xor" }, model: { kind: "perceptron" }, optimizer: { name: "sgd", lr: 0.5, momentum: 0.9, nesterov: true } },
  { dataset: { name: "csv", text: "a,b,y\n1,2,0\n", target: "y" }, model: { kind: "linear" }, val_fraction: 0, max_epochs: 7, seed: 3 },
  { dataset: { name: "points", points: [[0, 0, 1]] }, model: { kind: "logistic" }, steps_per_frame: 5, frames_per_second: 2 },
];

test("each server preset's run survives configFromRun then runRequest", () => {
  const presets = serverPresets();
  assert.ok(Object.keys(presets).length >= 5);
  for (const [id, preset] of Object.entries(presets)) assertFields(runRequest(configFromRun(preset.run)), preset.run, id);
});

for (const body of BODIES) {
  test(`round trip: ${JSON.stringify(body).slice(0, 70)}`, () => {
    assertFields(runRequest(configFromRun(body)), body);
  });
}

test("a configuration's absent fields are the server's defaults", () => {
  const config = configFromRun({ dataset: { name: "gauss" }, model: { kind: "linear" } });
  assert.deepEqual({ ...config, dataset: DEFAULT_CONFIG.dataset, model: DEFAULT_CONFIG.model }, DEFAULT_CONFIG);
});

test("runRequest leaves out what means the default and adds start only when asked", () => {
  const request = runRequest(configFromRun({ dataset: { name: "gauss" }, model: { kind: "mlp", hidden: [2], activation: "relu" } }));
  assert.deepEqual(request.model, { kind: "mlp", hidden: [2], activation: "relu" });
  assert.equal("start" in request, false);
  assert.equal("regularization" in request, false);
  assert.equal(runRequest(DEFAULT_CONFIG, { start: false }).start, false);
});

const SPIRAL = { name: "spiral", task: "classification", options: { n_samples: { default: 200 }, noise: { default: 0.1 }, seed: { default: 0 } } };
const CASES = [
  // [dataset, data held, catalogue entry, expected choice]
  ["spiral", { n_samples: 500 }, SPIRAL, { name: "spiral", n_samples: 500, noise: 0.1, seed: 0 }],
  ["spiral", { n_samples: 500, d_in: 3 }, SPIRAL, { name: "spiral", n_samples: 500, noise: 0.1, seed: 0 }],
  ["thermometer", { n_samples: 500 }, { name: "thermometer", options: {} }, { name: "thermometer" }],
  ["go_out", {}, null, { name: "go_out" }],
  ["csv", { text: "a,y\n1,0\n" }, null, { name: "csv", text: "a,y\n1,0\n" }],
];
for (const [dataset, data, spec, expected] of CASES) {
  test(`datasetChoice ${dataset} ${JSON.stringify(data)}`, () => {
    assert.deepEqual(datasetChoice({ ...DEFAULT_CONFIG, dataset, data }, spec), expected);
  });
}

for (const [text, expected] of [["8, 8", [8, 8]], ["16", [16]], ["4 ;2", [4, 2]], ["", []], ["8, x", null], ["0", null], ["1.5", null]]) {
  test(`parseUnits(${JSON.stringify(text)})`, () => assert.deepEqual(parseUnits(text), expected));
}
