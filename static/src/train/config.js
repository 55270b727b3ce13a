// The page's training configuration: its defaults, and how it becomes the body of
// POST /api/v1/runs. Pure functions, no DOM.

/** Settings a running run accepts by PATCH; any other change needs a new run. */
export const LIVE_KEYS = new Set(["lr", "batch_size", "steps_per_frame", "frames_per_second"]);

/** The page's configuration when it opens (the spiral preset's settings). */
export const DEFAULT_CONFIG = {
  dataset: "spiral", // a name of GET /api/v1/datasets
  n_samples: 500, // points generated
  noise: 0.1, // standard deviation of the noise added to each point
  data_seed: 0, // seed of the data generator
  n_classes: 3, // classes of the blobs set
  csv_text: "", // the uploaded CSV (dataset "csv")
  points: [], // clicked points [x1, x2, label] (dataset "points")
  val_fraction: 0.2, // share of rows held out for validation
  normalize: false, // z-score features with the training split's statistics
  features: null, // chosen features; null = the dataset's raw inputs
  model: "mlp", // linear, perceptron, logistic or mlp
  hidden: [8, 8], // units per hidden layer
  activations: ["tanh", "tanh"], // one per hidden layer
  output: "auto", // output activation; auto fits the loss
  dropout: 0, // probability of dropping a hidden unit while training
  init: null, // starting parameter values, e.g. {w: 1, b: 0}
  loss: "auto", // a loss name; auto: mse, bce_with_logits or cross_entropy by task
  reg: "none", // none, l1 or l2
  reg_rate: 0.001, // weight of the penalty
  optimizer: "adam", // a torch.optim name of the catalogue
  lr: 0.03, // learning rate
  batch_size: 10, // rows per update; null = the whole training set
  max_epochs: 1000, // the run finishes after this many epochs
  seed: 0, // seeds the split, initialisation, batch order and dropout
  steps_per_frame: null, // speed: updates between frames; null = as fast as possible
  frames_per_second: 10, // drawing rate: frames streamed per second
};

/** Datasets whose options are the point-cloud ones (samples, noise, seed). */
const CLOUDS = new Set(["circle", "xor", "gauss", "spiral", "moons", "blobs", "sine", "plane", "bumps"]);

/** The dataset part of a request: its name and the options it takes. */
export function datasetChoice(config) {
  const name = config.dataset;
  if (name === "csv") return { name, text: config.csv_text };
  if (name === "points") return { name, points: config.points };
  if (name === "random_regression") return { name, n_samples: config.n_samples, seed: config.data_seed, d_in: 1, d_out: 1 };
  if (!CLOUDS.has(name)) return { name };
  const choice = { name, n_samples: config.n_samples, noise: config.noise, seed: config.data_seed };
  if (name === "blobs") choice.n_classes = config.n_classes;
  return choice;
}

/** Whether a dataset has the samples / noise / seed options. */
export function hasCloudOptions(name) {
  return CLOUDS.has(name);
}

/** The body of POST /api/v1/runs for this configuration. */
export function runRequest(config, { start = true } = {}) {
  const model = { kind: config.model, output: config.output };
  if (config.model === "mlp") {
    model.hidden = config.hidden;
    model.activation = config.activations;
    model.dropout = config.dropout;
  }
  if (config.init) model.init = config.init;
  const request = {
    dataset: datasetChoice(config),
    val_fraction: config.val_fraction,
    normalize: config.normalize,
    model,
    loss: config.loss,
    optimizer: { name: config.optimizer, lr: config.lr },
    batch_size: config.batch_size,
    max_epochs: config.max_epochs,
    seed: config.seed,
    frames_per_second: config.frames_per_second,
    steps_per_frame: config.steps_per_frame,
    start,
  };
  if (config.features) request.features = config.features;
  if (config.reg !== "none") request.regularization = { kind: config.reg, rate: config.reg_rate };
  return request;
}

/** "8, 8" → [8, 8]; null when the text is not a list of whole numbers ≥ 1. */
export function parseUnits(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const units = parts.map(Number);
  return units.every((u) => Number.isInteger(u) && u >= 1) ? units : null;
}
