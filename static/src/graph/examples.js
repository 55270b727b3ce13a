// The examples menu: the course seeds' programs, each with its input values and a sensible
// gradient-descent setup.

/** A small deterministic Gaussian-ish generator, so the random network is the same for everyone. */
function randomMatrix(rows, cols, seed) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(normal() * 100) / 100));
}

export const EXAMPLES = [
  {
    id: "chain",
    title: "z = 2(a − b) + c",
    source: "z = 2(a − b) + c",
    values: { a: 3, b: 1, c: 0.5 },
    params: ["a", "b", "c"],
    descent: { optimizer: "sgd", lr: 0.1, steps: 20 },
  },
  {
    id: "chain-named",
    title: "d = a − b; z = 2d + c (named step)",
    source: "d = a - b\nz = 2*d + c",
    values: { a: 3, b: 1, c: 0.5 },
    params: ["a", "b"],
    descent: { optimizer: "sgd", lr: 0.1, steps: 20 },
  },
  {
    id: "linear-mse",
    title: "Linear model, MSE on the x1, x2, y table",
    source: "# the 9 rows whose y we know\ny_pred = w1*x1 + w2*x2 + b\nloss = mse(y_pred, y)",
    values: {
      x1: [2, 9, 4, 7, 2, 3, 3, 7, 6],
      x2: [8, 2, 1, 9, 2, 4, 5, 1, 6],
      y: [5, 6, 0, 7, 3, 3, 9, 4, 3],
      w1: 0,
      w2: 0,
      b: 0,
    },
    params: ["w1", "w2", "b"],
    descent: { optimizer: "adam", lr: 0.1, steps: 500 },
  },
  {
    id: "thermometer",
    title: "Thermometer: t_p = w·t_u + b",
    source: "t_p = w*t_u + b\nloss = mse(t_p, t_c)",
    values: {
      t_c: [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0],
      t_u: [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4],
      w: 1,
      b: 0,
    },
    params: ["w", "b"],
    descent: { optimizer: "sgd", lr: 0.0001, steps: 5000 },
  },
  {
    id: "sigmoid-neuron",
    title: "A sigmoid neuron",
    source: "p = sigmoid(w1*x1 + w2*x2 + b)\nloss = bce(p, t)",
    values: { x1: 2, x2: -1, w1: 0.5, w2: -0.3, b: 0.1, t: 1 },
    params: ["w1", "w2", "b"],
    descent: { optimizer: "sgd", lr: 0.5, steps: 50 },
  },
  {
    id: "relu-net",
    title: "Two-layer ReLU network",
    source: "h = relu(x @ w1)\ny_pred = h @ w2\nloss = sum((y_pred − y)²)",
    values: {
      x: randomMatrix(4, 3, 1),
      y: randomMatrix(4, 2, 2),
      w1: randomMatrix(3, 5, 3),
      w2: randomMatrix(5, 2, 4),
    },
    params: ["w1", "w2"],
    descent: { optimizer: "sgd", lr: 0.01, steps: 200 },
  },
];

export class ExamplesMenu {
  /** `onPick(example)` fires when an example is chosen. */
  constructor(select, { onPick = () => {} } = {}) {
    this.select = select;
    select.replaceChildren(new Option("Examples…", ""), ...EXAMPLES.map((e) => new Option(e.title, e.id)));
    select.addEventListener("change", () => {
      const example = EXAMPLES.find((e) => e.id === select.value);
      if (example) onPick(structuredClone(example));
    });
  }

  /** `state.example`: id of the example on show (or null once the program is edited). */
  update({ example }) {
    this.select.value = example || "";
  }
}
