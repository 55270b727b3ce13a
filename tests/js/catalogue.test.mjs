// The Training lab's menus from the catalogue (static/src/train/catalogue.js) and which
// surface a landscape frame shows (static/src/train/landscape-view.js surfaceKey).
import assert from "node:assert/strict";
import { test } from "node:test";
import { menus, numberOptions, presetGroups } from "../../static/src/train/catalogue.js";

const CATALOGUE = {
  datasets: [
    { name: "spiral", task: "classification", options: { n_samples: { default: 200, kind: "int" }, noise: { default: 0.1, kind: "float" } } },
    { name: "sine", task: "regression", options: {} },
    { name: "csv", task: "regression", options: { text: { default: "", kind: "text" } } },
  ],
  models: { linear: "…", mlp: "…" },
  outputs: ["none", "sigmoid"],
  activations: ["relu", "tanh"],
  losses: { mse: {}, bce: {} },
  regularization: ["none", "l2"],
  optimizers: { sgd: {}, adamw: {} },
  run_options: { loss: { default: "auto" } },
  presets: { a: { id: "a", group: "G1", title: "A" }, b: { id: "b", group: "G2", title: "B" }, c: { id: "c", group: "G1", title: "C" } },
};

test("every menu is the catalogue's table (plus the documented auto choices)", () => {
  const m = menus(CATALOGUE);
  const values = (menu) => menu.map(([v]) => v);
  assert.deepEqual(values(m.optimizers), ["sgd", "adamw"]);
  assert.deepEqual(values(m.losses), ["auto", "mse", "bce"]);
  assert.deepEqual(values(m.outputs), ["auto", "none", "sigmoid"]);
  assert.deepEqual(values(m.activations), ["relu", "tanh"]);
  assert.deepEqual(values(m.models), ["linear", "mlp"]);
  assert.deepEqual(values(m.regularization), ["none", "l2"]);
  assert.deepEqual(m.datasets.map(([g, items]) => [g, values(items)]), [["Classes", ["spiral"]], ["Regression", ["sine"]], ["Your data", ["csv"]]]);
});

test("a dataset's number options are its fields; text options are not", () => {
  assert.deepEqual(numberOptions(CATALOGUE.datasets[0]).map((o) => [o.key, o.label]), [["n_samples", "Samples"], ["noise", "Noise"]]);
  assert.deepEqual(numberOptions(CATALOGUE.datasets[2]), []);
  assert.deepEqual(numberOptions(undefined), []);
});

test("presets group in the server's order", () => {
  assert.deepEqual(presetGroups(CATALOGUE.presets), [["G1", [["a", "A"], ["c", "C"]]], ["G2", [["b", "B"]]]]);
});
