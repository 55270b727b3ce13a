// The Training lab's vocabularies, all read from the server: GET /api/v1/datasets (datasets
// with their options, models, losses, outputs, activations, regularization, optimizers,
// presets). Adding an entry to one of the server's tables adds it to the page's menus.

/** Labels for datasets whose names say little on a menu; any other shows its name. */
const DATASET_LABELS = { csv: "your CSV", points: "click to add points", table: "x1, x2, y table", random_regression: "random (noise)" };
/** Labels for the number options of the datasets; any other shows its name. */
const OPTION_LABELS = { n_samples: "Samples", noise: "Noise", seed: "Data seed", n_classes: "Classes", d_in: "Inputs (D_in)", d_out: "Outputs (D_out)" };
/** What a model kind is called on the menu. */
const MODEL_LABELS = { logistic: "logistic regression", mlp: "MLP" };
/** The page's "fits the loss" choice of output (the server's default for `model.output`). */
export const AUTO = "auto";

/** The menus of the configuration panel, from the catalogue. Each menu is [[value, label], …]. */
export function menus(catalogue) {
  const pairs = (names) => names.map((n) => [n, n]);
  const datasetGroups = new Map();
  for (const d of catalogue.datasets) {
    const group = d.name === "csv" || d.name === "points" ? "Your data" : d.task === "classification" ? "Classes" : "Regression";
    datasetGroups.set(group, [...(datasetGroups.get(group) || []), [d.name, DATASET_LABELS[d.name] || d.name]]);
  }
  return {
    datasets: [...datasetGroups],
    models: Object.keys(catalogue.models).map((m) => [m, MODEL_LABELS[m] || m]),
    outputs: pairs([AUTO, ...catalogue.outputs]),
    activations: pairs(catalogue.activations),
    losses: pairs([catalogue.run_options.loss.default, ...Object.keys(catalogue.losses)]),
    regularization: pairs(catalogue.regularization),
    optimizers: pairs(Object.keys(catalogue.optimizers)),
  };
}

/** The number options of a dataset entry (the ones the panel shows as fields), with labels. */
export function numberOptions(spec) {
  return Object.entries(spec?.options || {})
    .filter(([, o]) => o.kind === "int" || o.kind === "float")
    .map(([key, o]) => ({ key, label: OPTION_LABELS[key] || key, ...o }));
}

/** The presets as a menu: [[group, [[id, title], …]], …] in the server's order. */
export function presetGroups(presets) {
  const groups = new Map();
  for (const p of Object.values(presets)) groups.set(p.group, [...(groups.get(p.group) || []), [p.id, p.title]]);
  return [...groups];
}
