// The seeds' scenarios as one-click presets: each is the default configuration with changes,
// and a note that says what to watch for.
import { DEFAULT_CONFIG } from "./config.js";

/** Seed 002's perceptron: go out tonight when friends go, unless it rains and there is work. */
const GO_OUT_CSV = `rain,work,friends,go_out
0,0,0,0
0,0,1,1
0,1,0,0
0,1,1,1
1,0,0,0
1,0,1,1
1,1,0,0
1,1,1,0
1,0,1,?
`;

const THERMOMETER = {
  dataset: "thermometer", model: "linear", init: { w: 1, b: 0 }, loss: "mse", val_fraction: 0,
  optimizer: "sgd", lr: 0.01, batch_size: null, max_epochs: 2000, steps_per_frame: 20, frames_per_second: 20,
  hidden: [], activations: [],
};

const OVERFIT = {
  dataset: "moons", n_samples: 60, noise: 0.6, val_fraction: 0.5, model: "mlp", hidden: [32, 32],
  activations: ["relu", "relu"], optimizer: "adam", lr: 0.01, batch_size: null, max_epochs: 300,
};

/** Seed 003's table: the same data (moons) under each loss with its matching output. */
const LOSS_TABLE = [
  ["mse", "MSE on a linear output (regression's loss used for classes)"],
  ["l1", "L1 on a linear output"],
  ["bce", "BCE on a sigmoid output"],
  ["bce_with_logits", "BCE with logits on a linear output"],
  ["nll", "NLL on a log_softmax output"],
  ["cross_entropy", "cross-entropy on a linear output"],
].map(([loss, title]) => ({
  id: `loss-${loss}`,
  group: "Seed 003 · one dataset, each loss",
  title,
  note: `Moons under ${title}. The output activation is chosen to match the loss (auto); set Output to something else to see the mismatch explained.`,
  changes: { dataset: "moons", n_samples: 200, noise: 0.2, model: "mlp", hidden: [8], activations: ["tanh"], loss, optimizer: "adam", lr: 0.03, batch_size: 10, max_epochs: 200 },
}));

export const PRESETS = [
  {
    id: "spiral",
    group: "Start here",
    title: "Spiral · MLP 8-8 tanh · Adam",
    note: "Two hidden layers of 8 tanh units bend the boundary around the spiral. Raise the learning rate while it runs to watch it diverge.",
    changes: {},
  },
  {
    id: "thermometer-raw",
    group: "Seed 001 · the thermometer",
    title: "Raw t_u, lr 1e-2 (diverges)",
    note: "t_c ≈ w·t_u + b on the raw readings: the gradient for w is huge, each step overshoots, and the loss blows up within a few steps.",
    changes: { ...THERMOMETER, normalize: false },
  },
  {
    id: "thermometer-normalized",
    group: "Seed 001 · the thermometer",
    title: "Normalized t_u, lr 1e-2 (converges)",
    note: "The same model and learning rate on z-scored t_u: the landscape is round, and the path walks straight to the bottom.",
    changes: { ...THERMOMETER, normalize: true },
  },
  {
    id: "overfit",
    group: "Seed 004 · over- and underfitting",
    title: "Big MLP, 30 points (overfits)",
    note: "30 training points, 1,200 weights: training loss goes to zero while validation loss climbs. The page flags it.",
    changes: { ...OVERFIT, reg: "none" },
  },
  {
    id: "overfit-l2",
    group: "Seed 004 · over- and underfitting",
    title: "The same, fixed by L2",
    note: "An L2 penalty keeps the weights small: training loss stays above zero and validation loss stays low.",
    changes: { ...OVERFIT, reg: "l2", reg_rate: 0.1 },
  },
  ...LOSS_TABLE,
  {
    id: "go-out",
    group: "Seed 002 · the perceptron",
    title: "Should I go out tonight?",
    note: "Inputs: rain, work, friends (0 or 1). A perceptron learns weights and a bias; the last row is tonight: raining, no work, friends going.",
    changes: {
      dataset: "csv", csv_text: GO_OUT_CSV, val_fraction: 0, model: "perceptron", hidden: [], activations: [], loss: "auto",
      optimizer: "sgd", lr: 0.1, batch_size: null, max_epochs: 200, steps_per_frame: 1, frames_per_second: 20,
    },
  },
];

/** The configuration of a preset: the defaults with its changes. */
export function presetConfig(preset) {
  return structuredClone({ ...DEFAULT_CONFIG, ...preset.changes });
}
