// The Training lab's widgets and how the page's state is drawn on them. The controller
// (main.js) owns the state; this module only reads it, at most once per animation frame.
import { BoundaryView } from "./boundary-view.js";
import { ConfigPanel } from "./config-panel.js";
import { CurveView } from "./curve-view.js";
import { featureLabel, parseFeature } from "./features.js";
import { MAX_GRAPH_PARAMETERS } from "./graph-link.js";
import { LandscapeView } from "./landscape-view.js";
import { MetricChart } from "./metric-chart.js";
import { NetworkView } from "./network-view.js";
import { PresetMenu } from "./preset-menu.js";
import { RunBar } from "./run-bar.js";
import { TableView } from "./table-view.js";

const $ = (sel) => document.querySelector(sel);

export class LabView {
  /** `on`: the controller's actions (pickPreset, change, csv, addPoint, addClass, run bar's). */
  constructor(on) {
    this.panel = new ConfigPanel($("#config"), { change: on.change, csv: on.csv });
    this.presets = new PresetMenu($("#presets"), $("#preset-note"), { onPick: on.pickPreset });
    this.bar = new RunBar($("#run-bar"), on.bar);
    this.lossChart = new MetricChart($("#loss-chart"), { metric: "loss", title: "Loss" });
    this.accuracyChart = new MetricChart($("#accuracy-chart"), { metric: "accuracy", title: "Accuracy" });
    this.boundary = new BoundaryView($("#boundary"), { onAdd: on.addPoint });
    this.curve = new CurveView($("#curve"));
    this.table = new TableView($("#table"));
    this.network = new NetworkView($("#network"));
    this.landscape = new LandscapeView($("#landscape"), { fetchSurface: on.fetchSurface });
    document.querySelectorAll('#add-class input[name="add-class"]').forEach((radio) => {
      radio.addEventListener("change", () => on.addClass(Number(radio.value)));
    });
    this.drawCount = 0;
    this.pending = false;
  }

  /** Draw `state` on the next animation frame (many changes between two frames cost one drawing). */
  schedule(getState) {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw(getState());
    });
  }

  draw(state) {
    this.drawCount++;
    const { config, points, frame, run, history } = state;
    const latest = history.at(-1);
    this.bar.update({
      // Step events can run ahead of the latest frame (frames come at the drawing rate).
      status: state.status, reason: state.reason, metrics: latest, epoch: Math.max(frame?.epoch ?? 0, latest?.epoch ?? 0),
      step: Math.max(frame?.step ?? 0, latest?.step ?? 0), flag: state.flag, config,
      canGraph: Boolean(run && frame?.layers?.every((l) => l.weight) && run.state.resolved.parameters <= MAX_GRAPH_PARAMETERS),
    });
    this.presets.update({ presets: state.catalogue?.presets, selected: state.preset, note: state.note });
    const inputs = points?.input_names.length ?? 2;
    const kind = inputs === 2 ? "boundary" : inputs === 1 ? "curve" : "table";
    for (const name of ["boundary", "curve", "table"]) $(`#${name}`).hidden = name !== kind;
    $("#add-class").hidden = config.dataset !== "points";
    if (kind === "boundary") this.boundary.update({ points, grid: frame?.grid || null, unknown: frame?.unknown, adding: config.dataset === "points" });
    if (kind === "curve") this.curve.update({ points, curve: frame?.curve || null });
    if (kind === "table") this.table.update({ points, unknown: frame?.unknown });
    const classification = (run?.state.resolved.task ?? points?.task) === "classification";
    const blowUp = state.status === "diverged" && frame ? { epoch: frame.epoch + 1, loss: frame.loss } : null;
    this.lossChart.update({ history, blowUp });
    this.accuracyChart.show(classification);
    if (classification) this.accuracyChart.update({ history });
    $("#landscape").hidden = !frame?.landscape;
    if (frame?.landscape) this.landscape.update({ landscape: frame.landscape, params: frame.params });
    $("#network-empty").hidden = Boolean(frame);
    $("#network").hidden = !frame;
    const names = points?.input_names || [];
    const features = run?.state.resolved.features?.map((f) => featureLabel(parseFeature(f, names)));
    if (frame) this.network.update({ layers: frame.layers, features });
  }
}
