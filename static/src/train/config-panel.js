// The controls, grouped as a teacher explains them: Data, Model, Loss, Optimizer. The panel
// shows a configuration and reports each change; the controller decides what a change means.
import { hasCloudOptions, parseUnits } from "./config.js";

const LOSS_NAMES = {
  auto: "auto (fits the task)", mse: "MSE", l1: "L1", bce: "BCE", bce_with_logits: "BCE with logits",
  nll: "NLL", cross_entropy: "cross-entropy",
};
const OUTPUT_NAMES = ["auto", "none", "sigmoid", "tanh", "softmax", "log_softmax"];
const BATCHES = [["1", 1], ["5", 5], ["10", 10], ["32", 32], ["100", 100], ["all (full batch)", null]];

const options = (items) => items.map(([label, value]) => `<option value="${value}">${label}</option>`).join("");
const pairs = (names) => names.map((n) => [n, n]);

export class ConfigPanel {
  /** `onChange(key, value)` is called for every edit the user makes. */
  constructor(container, { onChange, onCsv }) {
    this.onChange = onChange;
    container.classList.add("config-panel");
    container.innerHTML = `
<section class="panel group" id="group-data"><h2>1 · Data</h2>
  <div class="grid2">
    <label>Dataset <select data-key="dataset" aria-label="dataset"></select></label>
    <label class="cloud">Samples <input data-key="n_samples" type="number" min="1" max="10000" step="1"></label>
    <label class="cloud">Noise <input data-key="noise" type="number" min="0" max="5" step="0.05"></label>
    <label class="cloud">Data seed <input data-key="data_seed" type="number" min="0" step="1"></label>
    <label class="blobs">Classes <input data-key="n_classes" type="number" min="2" max="20" step="1"></label>
    <label>Validation <select data-key="val_fraction" aria-label="validation fraction">${options([["none", 0], ["10%", 0.1], ["20%", 0.2], ["30%", 0.3], ["50%", 0.5]])}</select></label>
  </div>
  <label class="check"><input type="checkbox" data-key="normalize"> Normalize inputs (z-score with the training split)</label>
  <div class="features" aria-label="features"></div>
  <div class="csv-row"><label class="file">Upload CSV <input type="file" accept=".csv,text/csv" aria-label="CSV file"></label></div>
  <p class="points-help">Click on the plot to add a point; the class buttons above the plot choose its class.</p>
  <p class="csv-error" role="alert" hidden></p>
</section>
<section class="panel group" id="group-model"><h2>2 · Model</h2>
  <div class="grid2">
    <label>Kind <select data-key="model" aria-label="model kind">${options([["linear", "linear"], ["perceptron", "perceptron"], ["logistic regression", "logistic"], ["MLP", "mlp"]])}</select></label>
    <label>Output <select data-key="output" aria-label="output activation">${options(pairs(OUTPUT_NAMES))}</select></label>
    <label class="mlp">Hidden units <input data-key="hidden" aria-label="hidden units" placeholder="8, 8"></label>
    <label class="mlp">Dropout <input data-key="dropout" type="number" min="0" max="0.9" step="0.1"></label>
  </div>
  <div class="activations mlp" aria-label="activations"></div>
</section>
<section class="panel group" id="group-loss"><h2>3 · Loss</h2>
  <div class="grid2">
    <label>Loss <select data-key="loss" aria-label="loss">${options(Object.entries(LOSS_NAMES).map(([k, v]) => [v, k]))}</select></label>
    <label>Regularization <select data-key="reg" aria-label="regularization">${options([["none", "none"], ["L1", "l1"], ["L2", "l2"]])}</select></label>
    <label class="reg">Rate <input data-key="reg_rate" type="number" min="0" step="0.001"></label>
  </div>
</section>
<section class="panel group" id="group-optimizer"><h2>4 · Optimizer</h2>
  <div class="grid2">
    <label>Optimizer <select data-key="optimizer" aria-label="optimizer">${options(pairs(["sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam"]))}</select></label>
    <label>Learning rate <input data-key="lr" type="number" min="0" step="any" aria-label="learning rate"></label>
    <label>Batch size <select data-key="batch_size" aria-label="batch size">${options(BATCHES)}</select></label>
    <label>Epochs <input data-key="max_epochs" type="number" min="1" max="20000" step="1"></label>
    <label>Seed <input data-key="seed" type="number" min="0" step="1" aria-label="run seed"></label>
  </div>
  <p class="hint">Learning rate and batch size change the running run at once.</p>
</section>`;
    this.root = container;
    this.field = (key) => container.querySelector(`[data-key="${key}"]`);
    for (const el of container.querySelectorAll("[data-key]")) {
      el.addEventListener("change", () => this.emit(el));
    }
    this.featuresBox = container.querySelector(".features");
    this.activationsBox = container.querySelector(".activations");
    this.csvError = container.querySelector(".csv-error");
    container.querySelector('input[type="file"]').addEventListener("change", async (event) => {
      const file = event.target.files[0];
      if (file) onCsv(await file.text());
      event.target.value = "";
    });
  }

  emit(el) {
    const key = el.dataset.key;
    let value;
    if (el.type === "checkbox") value = el.checked;
    else if (key === "hidden") {
      value = parseUnits(el.value);
      el.classList.toggle("invalid", value === null);
      if (value === null) return;
    } else if (key === "batch_size") value = el.value === "null" ? null : Number(el.value);
    else if (el.type === "number" || key === "val_fraction") {
      value = Number(el.value);
      if (!Number.isFinite(value) || el.value === "") return;
    } else value = el.value;
    this.onChange(key, value);
  }

  /** `state.config`, `state.datasets` (catalogue entries), `state.features` (offered by the data), `state.csvError`. */
  update({ config, datasets, features, csvError }) {
    if (datasets) {
      const select = this.field("dataset");
      const label = { csv: "your CSV", points: "click to add points", table: "x1, x2, y table", random_regression: "random (noise)" };
      const group = (d) => (d.name === "csv" || d.name === "points" ? "Your data" : d.task === "classification" ? "Classes" : "Regression");
      const groups = new Map();
      for (const d of datasets) groups.set(group(d), [...(groups.get(group(d)) || []), d]);
      select.innerHTML = [...groups].map(([g, items]) => `<optgroup label="${g}">${items.map((d) => `<option value="${d.name}">${label[d.name] || d.name}</option>`).join("")}</optgroup>`).join("");
    }
    if (csvError !== undefined) {
      this.csvError.hidden = !csvError;
      this.csvError.textContent = csvError || "";
    }
    if (features) this.features = features;
    if (!config) return;
    for (const el of this.root.querySelectorAll("[data-key]")) {
      const value = config[el.dataset.key];
      if (el.type === "checkbox") el.checked = Boolean(value);
      else if (el.dataset.key === "hidden") {
        if (parseUnits(el.value)?.join() !== value.join()) el.value = value.join(", ");
        el.classList.remove("invalid");
      } else if (document.activeElement !== el || el.tagName === "SELECT") el.value = String(value);
    }
    const show = (selector, on) => this.root.querySelectorAll(selector).forEach((el) => { el.hidden = !on; });
    show(".cloud", hasCloudOptions(config.dataset));
    show(".blobs", config.dataset === "blobs");
    show(".mlp", config.model === "mlp");
    show(".reg", config.reg !== "none");
    show(".points-help", config.dataset === "points");
    this.drawFeatures(config);
    this.drawActivations(config);
  }

  drawFeatures(config) {
    const offered = this.features || [];
    const chosen = new Set(config.features || offered.filter((f) => !/[\^*(]/.test(f)));
    this.featuresBox.innerHTML = offered.length
      ? `<span class="label">Features</span>` + offered.map((f) => `<label class="chip"><input type="checkbox" value="${f}"${chosen.has(f) ? " checked" : ""}> ${prettyFeature(f)}</label>`).join("")
      : "";
    for (const box of this.featuresBox.querySelectorAll("input")) {
      box.addEventListener("change", () => {
        const picked = [...this.featuresBox.querySelectorAll("input:checked")].map((b) => b.value);
        if (picked.length) this.onChange("features", picked);
        else box.checked = true; // a model needs at least one input
      });
    }
  }

  drawActivations(config) {
    const names = ["relu", "leaky_relu", "tanh", "sigmoid", "gelu", "linear"];
    this.activationsBox.innerHTML = config.hidden.map((units, i) => `<label>Layer ${i + 1} (${units}) <select aria-label="activation of layer ${i + 1}">${options(pairs(names))}</select></label>`).join("");
    this.activationsBox.querySelectorAll("select").forEach((select, i) => {
      select.value = config.activations[i] || "relu";
      select.addEventListener("change", () => {
        const activations = config.hidden.map((_, j) => config.activations[j] || "relu");
        activations[i] = select.value;
        this.onChange("activations", activations);
      });
    });
  }
}

/** x1^2 → x1², x1*x2 → x1·x2, sin(x1) → sin x1. */
export function prettyFeature(name) {
  return name.replace("^2", "²").replace("*", "·").replace(/^sin\((.*)\)$/, "sin $1");
}
