// The controls, grouped as a teacher explains them: Data, Model, Loss, Optimizer. Every menu
// comes from the server's catalogue (catalogue.js); the panel shows a configuration and
// reports each change; the controller decides what a change means.
import { fillGroups, h, options } from "../common/dom.js";
import { numberOptions } from "./catalogue.js";
import { parseUnits } from "./config.js";
import { featureKey, featureLabel, isColumn } from "./features.js";

const BATCHES = [[1, "1"], [5, "5"], [10, "10"], [32, "32"], [100, "100"], ["null", "all (full batch)"]];
const VALIDATION = [[0, "none"], [0.1, "10%"], [0.2, "20%"], [0.3, "30%"], [0.5, "50%"]];

const select = (key, label) => h("select", { dataset: { key }, "aria-label": label });
const number = (key, attrs) => h("input", { type: "number", dataset: { key }, ...attrs });
const field = (text, control, className) => h("label", { className }, `${text} `, control);
const section = (id, title, ...children) => h("section", { className: "panel group", id }, h("h2", {}, title), ...children);

export class ConfigPanel {
  /** `on.change(key, value)` for every edit the user makes; `on.csv(text)` for an uploaded file. */
  constructor(container, on) {
    this.on = on;
    this.root = container;
    container.classList.add("config-panel");
    this.dataOptions = h("div", { className: "grid2 data-options" });
    this.featuresBox = h("div", { className: "features", "aria-label": "features" });
    this.activationsBox = h("div", { className: "activations mlp", "aria-label": "activations" });
    this.csvError = h("p", { className: "csv-error", role: "alert", hidden: true });
    const upload = h("input", { type: "file", accept: ".csv,text/csv", "aria-label": "CSV file" });
    upload.addEventListener("change", async () => {
      const file = upload.files[0];
      if (file) on.csv(await file.text());
      upload.value = "";
    });
    const validation = select("val_fraction", "validation fraction");
    validation.append(...options(VALIDATION));
    const batch = select("batch_size", "batch size");
    batch.append(...options(BATCHES));
    container.replaceChildren(
      section("group-data", "1 · Data",
        h("div", { className: "grid2" }, field("Dataset", select("dataset", "dataset")), field("Validation", validation)),
        this.dataOptions,
        h("label", { className: "check" }, h("input", { type: "checkbox", dataset: { key: "normalize" } }), " Normalize inputs (z-score with the training split)"),
        this.featuresBox,
        h("div", { className: "csv-row" }, h("label", { className: "file" }, "Upload CSV ", upload)),
        h("p", { className: "points-help" }, "Click on the plot to add a point; the class buttons above the plot choose its class."),
        this.csvError),
      section("group-model", "2 · Model",
        h("div", { className: "grid2" },
          field("Kind", select("model", "model kind")),
          field("Output", select("output", "output activation")),
          field("Hidden units", h("input", { dataset: { key: "hidden" }, "aria-label": "hidden units", placeholder: "8, 8" }), "mlp"),
          field("Dropout", number("dropout", { min: 0, max: 0.9, step: 0.1 }), "mlp")),
        this.activationsBox),
      section("group-loss", "3 · Loss",
        h("div", { className: "grid2" },
          field("Loss", select("loss", "loss")),
          field("Regularization", select("reg", "regularization")),
          field("Rate", number("reg_rate", { min: 0, step: 0.001 }), "reg"))),
      section("group-optimizer", "4 · Optimizer",
        h("div", { className: "grid2" },
          field("Optimizer", select("optimizer", "optimizer")),
          field("Learning rate", number("lr", { min: 0, step: "any", "aria-label": "learning rate" })),
          field("Batch size", batch),
          field("Epochs", number("max_epochs", { min: 1, step: 1 })),
          field("Seed", number("seed", { min: 0, step: 1, "aria-label": "run seed" }))),
        h("p", { className: "hint" }, "Learning rate and batch size change the running run at once.")),
    );
    for (const el of container.querySelectorAll("[data-key]")) el.addEventListener("change", () => this.emit(el));
    this.activations = [];
  }

  /** The menus (catalogue.js `menus`) and the dataset entries (for their options). */
  setCatalogue(menus, datasets) {
    this.specs = new Map(datasets.map((d) => [d.name, d]));
    this.activations = menus.activations;
    fillGroups(this.input("dataset"), menus.datasets);
    const menuOf = { model: "models", output: "outputs", loss: "losses", reg: "regularization", optimizer: "optimizers" };
    for (const [key, menu] of Object.entries(menuOf)) this.input(key).replaceChildren(...options(menus[menu]));
  }

  input(key) {
    return this.root.querySelector(`[data-key="${key}"]`);
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
    this.on.change(key, value);
  }

  /** `state.config`, `state.features` (offered by the data, parsed), `state.csvError`. */
  update({ config, features, csvError }) {
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
    show(".mlp", config.model === "mlp");
    show(".reg", config.reg !== "none");
    show(".points-help", config.dataset === "points");
    this.drawDataOptions(config);
    this.drawFeatures(config);
    this.drawActivations(config);
  }

  /** A number field per option of the dataset (from its catalogue entry, with its bounds). */
  drawDataOptions(config) {
    const spec = this.specs?.get(config.dataset);
    const fields = numberOptions(spec);
    const signature = `${config.dataset}|${fields.map((f) => f.key)}`;
    if (signature !== this.dataSignature) {
      this.dataSignature = signature;
      this.dataOptions.replaceChildren(...fields.map((f) => {
        const input = h("input", { type: "number", min: f.minimum ?? "", max: f.maximum ?? "", step: f.kind === "int" ? 1 : "any", title: f.doc, dataset: { option: f.key } });
        input.addEventListener("change", () => {
          const value = Number(input.value);
          if (input.value !== "" && Number.isFinite(value)) this.on.change("data", { ...this.config.data, [f.key]: value });
        });
        return field(f.label, input);
      }));
    }
    this.config = config;
    for (const input of this.dataOptions.querySelectorAll("input")) {
      const key = input.dataset.option;
      const value = key in config.data ? config.data[key] : spec.options[key].default;
      if (document.activeElement !== input) input.value = String(value);
    }
  }

  drawFeatures(config) {
    const offered = this.features || [];
    const chosen = new Set((config.features || offered.filter(isColumn)).map(featureKey));
    const chips = offered.map((f) => {
      const box = h("input", { type: "checkbox", value: featureKey(f), checked: chosen.has(featureKey(f)) });
      box.addEventListener("change", () => {
        const picked = offered.filter((_, i) => boxes[i].checked);
        if (picked.length) this.on.change("features", picked);
        else box.checked = true; // a model needs at least one input
      });
      return h("label", { className: "chip" }, box, ` ${featureLabel(f)}`);
    });
    const boxes = chips.map((c) => c.querySelector("input"));
    this.featuresBox.replaceChildren(...(chips.length ? [h("span", { className: "label" }, "Features"), ...chips] : []));
  }

  drawActivations(config) {
    this.activationsBox.replaceChildren(...config.hidden.map((units, i) => {
      const menu = h("select", { "aria-label": `activation of layer ${i + 1}` }, options(this.activations));
      menu.value = config.activations[i] || this.activations[0]?.[0];
      menu.addEventListener("change", () => {
        const activations = config.hidden.map((_, j) => config.activations[j] || menu.value);
        activations[i] = menu.value;
        this.on.change("activations", activations);
      });
      return h("label", {}, `Layer ${i + 1} (${units}) `, menu);
    }));
  }
}
