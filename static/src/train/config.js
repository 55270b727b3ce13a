// The page's training configuration: what a run body means, how a configuration becomes the
// body of POST /api/v1/runs (runRequest) and how a body becomes a configuration (configFromRun,
// its inverse, used for presets). Pure functions, no DOM.
import { featureWire } from "./features.js";

/** Settings a running run accepts by PATCH; any other change needs a new run. */
export const LIVE_KEYS = new Set(["lr", "batch_size", "steps_per_frame", "frames_per_second"]);

/** What a run body leaves out means this (the server's defaults, GET /api/v1/datasets `run_options`). */
export const DEFAULT_CONFIG = {
  dataset: "spiral", // a name of GET /api/v1/datasets
  data: {}, // the dataset's options by the catalogue's names (n_samples, noise, seed, text, points, …)
  val_fraction: 0.2, // share of rows held out for validation
  normalize: false, // z-score features with the training split's statistics
  features: null, // chosen features (see features.js); null = the dataset's raw inputs
  model: "mlp", // a model kind of the catalogue
  hidden: [], // units per hidden layer
  activations: [], // one per hidden layer
  output: "auto", // output activation; auto fits the loss
  dropout: 0, // probability of dropping a hidden unit while training
  init: null, // starting parameter values, e.g. {w: 1, b: 0}
  loss: "auto", // a loss name; auto: mse, bce_with_logits or cross_entropy by task
  reg: "none", // a regularization kind of the catalogue
  reg_rate: 0.001, // weight of the penalty
  optimizer: "sgd", // a torch.optim name of the catalogue
  lr: 0.01, // learning rate
  optimizer_settings: {}, // the optimizer's other settings (momentum, weight_decay, …)
  batch_size: null, // rows per update; null = the whole training set
  max_epochs: 1000, // the run finishes after this many epochs
  seed: 0, // seeds the split, initialisation, batch order and dropout
  steps_per_frame: null, // speed: updates between frames; null = as fast as possible
  frames_per_second: 10, // drawing rate: frames streamed per second
};

/** Run fields copied as they are between a body and a configuration. */
const PLAIN_KEYS = ["val_fraction", "normalize", "loss", "batch_size", "max_epochs", "seed", "steps_per_frame", "frames_per_second"];

/**
 * The dataset part of a request. With the dataset's catalogue entry (`spec`), exactly its
 * options, each the configuration's value or the option's default; without, every value held.
 */
export function datasetChoice(config, spec = null) {
  const choice = { name: config.dataset };
  if (!spec) return { ...choice, ...structuredClone(config.data) };
  for (const [key, option] of Object.entries(spec.options)) {
    choice[key] = key in config.data ? structuredClone(config.data[key]) : option.default;
  }
  return choice;
}

/** The body of POST /api/v1/runs for this configuration (`spec`: the dataset's catalogue entry). */
export function runRequest(config, { start, spec = null } = {}) {
  const model = { kind: config.model };
  if (config.output !== "auto") model.output = config.output;
  if (config.model === "mlp") {
    model.hidden = [...config.hidden];
    const acts = config.activations;
    model.activation = acts.length && acts.every((a) => a === acts[0]) ? acts[0] : [...acts];
    if (config.dropout) model.dropout = config.dropout;
  }
  if (config.init) model.init = { ...config.init };
  const request = { dataset: datasetChoice(config, spec), model };
  for (const key of PLAIN_KEYS) request[key] = config[key];
  request.optimizer = { name: config.optimizer, lr: config.lr, ...config.optimizer_settings };
  if (config.features) request.features = config.features.map(featureWire);
  if (config.reg !== "none") request.regularization = { kind: config.reg, rate: config.reg_rate };
  if (start !== undefined) request.start = start;
  return request;
}

/** The configuration of a run body (a preset's `run`): the inverse of runRequest. */
export function configFromRun(run) {
  const config = structuredClone(DEFAULT_CONFIG);
  const { name, ...data } = run.dataset;
  Object.assign(config, { dataset: name, data: structuredClone(data) });
  for (const key of PLAIN_KEYS) if (key in run) config[key] = run[key];
  if (run.features) config.features = structuredClone(run.features);
  const model = run.model;
  config.model = model.kind;
  config.hidden = [...(model.hidden || [])];
  config.activations = Array.isArray(model.activation) ? [...model.activation] : config.hidden.map(() => model.activation || "relu");
  config.output = model.output || "auto";
  config.dropout = model.dropout || 0;
  config.init = model.init ? { ...model.init } : null;
  if (run.optimizer) {
    const { name: optimizer, lr, ...settings } = run.optimizer;
    Object.assign(config, { optimizer: optimizer || config.optimizer, optimizer_settings: settings });
    if (lr !== undefined) config.lr = lr;
  }
  if (run.regularization && run.regularization.kind !== "none") {
    config.reg = run.regularization.kind;
    if (run.regularization.rate !== undefined) config.reg_rate = run.regularization.rate;
  }
  return config;
}

/** "8, 8" → [8, 8]; null when the text is not a list of whole numbers ≥ 1. */
export function parseUnits(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const units = parts.map(Number);
  return units.every((u) => Number.isInteger(u) && u >= 1) ? units : null;
}
