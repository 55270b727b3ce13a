// The model as a Graph lab program: one line per layer (`h1 = tanh(x @ W1 + b1)`), the loss of
// the run, and the current weights and a batch of training rows as the inputs' values. The
// link uses the Graph lab's URL state (static/src/graph/url-state.js: #{s, v, o}).

/** Parameters above which the graph would be too big to read (the button is disabled). */
export const MAX_GRAPH_PARAMETERS = 2000;
/** Training rows in the batch sent to the Graph lab. */
const MAX_BATCH_ROWS = 8;

const FEATURES = [
  [/^(\w+)\^2$/, (a) => a * a],
  [/^sin\((\w+)\)$/, (a) => Math.sin(a)],
  [/^(\w+)\*(\w+)$/, (a, b) => a * b],
  [/^(\w+)$/, (a) => a],
];

/** The feature columns of raw input rows (as the server computes them). */
export function featureRows(rows, inputNames, features) {
  const index = Object.fromEntries(inputNames.map((n, i) => [n, i]));
  return rows.map((row) => features.map((name) => {
    for (const [pattern, fn] of FEATURES) {
      const m = pattern.exec(name.replace(/\s/g, ""));
      if (m && m.slice(1).every((a) => a in index)) return fn(...m.slice(1).map((a) => row[index[a]]));
    }
    return NaN;
  }));
}

/** z-scores with the training split's mean and (population) std, as the server normalizes. */
function normalizer(train) {
  const d = train[0]?.length || 0;
  const mean = Array.from({ length: d }, (_, j) => train.reduce((s, r) => s + r[j], 0) / train.length);
  const std = mean.map((m, j) => Math.sqrt(train.reduce((s, r) => s + (r[j] - m) ** 2, 0) / train.length) || 1);
  return (rows) => rows.map((r) => r.map((v, j) => (v - mean[j]) / std[j]));
}

const round = (v) => (Array.isArray(v) ? v.map(round) : Number(Number(v).toPrecision(5)));
const transpose = (m) => m[0].map((_, j) => m.map((row) => row[j]));
const ACT = { relu: "relu", leaky_relu: "leaky_relu", tanh: "tanh", sigmoid: "sigmoid", gelu: "gelu", softmax: "softmax", log_softmax: "log_softmax" };

/**
 * The program and values for a run: `frame` (with full layers), `points` (the run's data),
 * `run` (its state: resolved loss, output, features), `config` (the page's configuration).
 * Returns null when the frame has no weights (a model too large to send them).
 */
export function modelProgram({ frame, points, run, config }) {
  const layers = frame.layers;
  if (!layers.every((l) => l.weight)) return null;
  const { loss, output, features, task } = run.resolved;
  const rowsRaw = points.train.x.slice(0, Math.min(MAX_BATCH_ROWS, frame.batch_size || MAX_BATCH_ROWS));
  let rows = featureRows(rowsRaw, points.input_names, features);
  if (config.normalize) rows = normalizer(featureRows(points.train.x, points.input_names, features))(rows);
  const targets = points.train.y.slice(0, rows.length);
  const n = rows.length;
  const values = { x: round(rows) };
  const lines = [`# ${[layers[0].inputs, ...layers.map((l) => l.units)].join(" → ")} ${run.resolved.parameters <= 2 ? "linear model" : "network"}, on a batch of ${n} training rows`];
  let h = "x";
  layers.forEach((layer, i) => {
    const k = i + 1;
    values[`W${k}`] = round(transpose(layer.weight)); // torch stores [out][in]; x @ W wants [in][out]
    values[`b${k}`] = round(layer.bias);
    const last = i === layers.length - 1;
    const pre = `${h} @ W${k} + b${k}`;
    const name = last ? "score" : `h${k}`;
    const act = last ? null : ACT[layer.activation];
    lines.push(`${name} = ${act ? `${act}(${pre})` : pre}`);
    h = name;
  });
  const outAct = ACT[output];
  if (outAct) lines.push(`out = ${outAct}(score)`);
  const out = outAct ? "out" : "score";
  const classes = layers.at(-1).units;
  if (loss === "cross_entropy") {
    values.y = targets;
    lines.push(`loss = cross_entropy(${out}, y)`);
  } else if (loss === "nll") {
    values.y = targets.map((t) => Array.from({ length: classes }, (_, c) => (c === t ? 1 : 0)));
    lines.push(`loss = −sum(${out} * y) / ${n}`);
  } else {
    values.y = targets.map((t) => [t]);
    if (loss === "bce_with_logits") lines.push(`p = sigmoid(${out})`, "loss = bce(p, y)");
    else if (loss === "bce") lines.push(`loss = bce(${out}, y)`);
    else if (loss === "l1") lines.push(`loss = mean(abs(${out} − y))`);
    else lines.push(`loss = mse(${out}, y)`);
  }
  if (config.reg !== "none" && config.reg_rate > 0) {
    const penalty = layers.map((_, i) => (config.reg === "l2" ? `sum(W${i + 1}^2)` : `sum(abs(W${i + 1}))`)).join(" + ");
    lines[lines.length - 1] = lines.at(-1).replace(/^loss = /, "data_loss = ");
    lines.push(`loss = data_loss + ${config.reg_rate} * (${penalty})`);
  }
  if (config.model === "mlp" && config.dropout > 0) lines.splice(1, 0, "# dropout is off here: this is the model as it predicts");
  return { source: lines.join("\n"), values, output: "loss" };
}

/** The Graph lab address that shows this program with these values. */
export function graphUrl({ source, values, output }) {
  return `/graph#${encodeURIComponent(JSON.stringify({ s: source, v: values, o: output }))}`;
}
