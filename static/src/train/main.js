// The Training lab's controller: holds the configuration and the run's latest state, talks to
// the API, and redraws the widgets at most once per animation frame.
import { ApiError, getJson, postJson } from "../common/api.js";
import { BoundaryView } from "./boundary-view.js";
import { DEFAULT_CONFIG, LIVE_KEYS, datasetChoice, runRequest } from "./config.js";
import { ConfigPanel } from "./config-panel.js";
import { CurveView } from "./curve-view.js";
import { MAX_GRAPH_PARAMETERS, graphUrl } from "./graph-link.js";
import { LandscapeView } from "./landscape-view.js";
import { MetricChart } from "./metric-chart.js";
import { NetworkView } from "./network-view.js";
import { PRESETS, presetConfig } from "./presets.js";
import { PresetMenu } from "./preset-menu.js";
import { RunBar } from "./run-bar.js";
import { RunClient } from "./run-client.js";
import { TableView } from "./table-view.js";

const $ = (sel) => document.querySelector(sel);
const RESUMABLE = new Set(["paused", "diverged"]);
const ACTIVE = new Set(["running", "paused", "diverged"]);

/** Everything the page shows. */
const state = {
  config: structuredClone(DEFAULT_CONFIG),
  points: null, // the data's points (preview before a run, the run's afterwards)
  run: null, // the RunClient of the current run
  status: "none", // none, starting, running, paused, finished, diverged, stopped, error
  reason: null, // why the run paused, stopped or cannot start
  flag: null, // the overfitting notice
  history: [], // step events (one per epoch)
  frame: null, // the latest frame
  preset: "spiral",
  note: "",
  addClass: 0, // class of the next clicked point
};

const panel = new ConfigPanel($("#config"), { onChange: changeSetting, onCsv: uploadCsv });
const presets = new PresetMenu($("#presets"), { onPick: applyPreset });
const bar = new RunBar($("#run-bar"), {
  play, pause: () => command("pause"), step, stop: () => command("stop"), reset: () => reset(), openGraph, change: changeSetting,
});
const lossChart = new MetricChart($("#loss-chart"), { metric: "loss", title: "Loss" });
const accuracyChart = new MetricChart($("#accuracy-chart"), { metric: "accuracy", title: "Accuracy" });
const boundary = new BoundaryView($("#boundary"), { onAdd: addPoint });
const curve = new CurveView($("#curve"));
const table = new TableView($("#table"));
const network = new NetworkView($("#network"));
const landscape = new LandscapeView($("#landscape"));

document.querySelectorAll('#add-class input[name="add-class"]').forEach((radio) => {
  radio.addEventListener("change", () => { state.addClass = Number(radio.value); });
});

/** For the tests and the curious. */
window.trainLab = { state, presets: PRESETS, get drawCount() { return drawCount; } };

// --- drawing -------------------------------------------------------------------------------

let drawPending = false;
let drawCount = 0;

/** Redraw on the next animation frame (many events between two frames cost one drawing). */
function redraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
  });
}

function draw() {
  drawCount++;
  const { config, points, frame, run } = state;
  const latest = state.history.at(-1);
  bar.update({
    // Step events can run ahead of the latest frame (frames come at the drawing rate).
    status: state.status, reason: state.reason, metrics: latest, epoch: Math.max(frame?.epoch ?? 0, latest?.epoch ?? 0),
    step: Math.max(frame?.step ?? 0, latest?.step ?? 0), flag: state.flag, config,
    canGraph: Boolean(run && frame?.layers?.every((l) => l.weight) && run.state.resolved.parameters <= MAX_GRAPH_PARAMETERS),
  });
  const inputs = points?.input_names.length ?? 2;
  const kind = inputs === 2 ? "boundary" : inputs === 1 ? "curve" : "table";
  for (const name of ["boundary", "curve", "table"]) $(`#${name}`).hidden = name !== kind;
  $("#add-class").hidden = config.dataset !== "points";
  if (kind === "boundary") boundary.update({ points, grid: frame?.grid || null, unknown: frame?.unknown, adding: config.dataset === "points" });
  if (kind === "curve") curve.update({ points, curve: frame?.curve || null });
  if (kind === "table") table.update({ points, unknown: frame?.unknown });
  const classification = (run?.state.resolved.task ?? points?.task) === "classification";
  const blowUp = state.status === "diverged" && frame ? { epoch: frame.epoch + 1, loss: frame.loss } : null;
  lossChart.update({ history: state.history, blowUp });
  accuracyChart.show(classification);
  if (classification) accuracyChart.update({ history: state.history });
  $("#landscape").hidden = !frame?.landscape;
  if (frame?.landscape) landscape.update({ landscape: frame.landscape, params: frame.params });
  $("#network-empty").hidden = Boolean(frame);
  $("#network").hidden = !frame;
  if (frame) network.update({ layers: frame.layers, features: run?.state.resolved.features });
  $("#preset-note").textContent = state.note;
}

// --- configuration -------------------------------------------------------------------------

function applyPreset(preset) {
  state.preset = preset.id;
  state.note = preset.note;
  state.config = presetConfig(preset);
  presets.update({ selected: preset.id });
  configChanged();
}

async function changeSetting(key, value) {
  const config = state.config;
  config[key] = value;
  if (key === "hidden") config.activations = value.map((_, i) => config.activations[i] || config.activations.at(-1) || "relu");
  if (key === "dataset") config.features = null;
  if (key === "model" && value !== "mlp") config.init = null;
  if (LIVE_KEYS.has(key) && state.run && ACTIVE.has(state.status)) {
    panel.update({ config });
    try {
      await state.run.change({ [key]: value });
    } catch (err) {
      showError(err);
    }
    redraw();
    return;
  }
  if (LIVE_KEYS.has(key) && key !== "lr" && key !== "batch_size") return; // speed and drawing rate apply to the next run
  state.preset = null;
  state.note = "";
  presets.update({ selected: null });
  configChanged();
}

/** A setting that defines the run changed: forget the run, show the new data. */
function configChanged() {
  reset({ keepNote: true });
  panel.update({ config: state.config });
  loadPreview();
}

let previewGeneration = 0;

async function loadPreview() {
  const mine = ++previewGeneration;
  const { config } = state;
  if (config.dataset === "points" && !config.points.length) {
    state.points = { input_names: ["x1", "x2"], target_names: ["y"], task: "classification", n_classes: 2, features: ["x1", "x2"], train: { x: [], y: [] }, val: { x: [], y: [] }, unknown: [] };
  } else {
    try {
      const points = await postJson("/api/v1/datasets/preview", { dataset: datasetChoice(config), val_fraction: config.val_fraction, seed: config.seed });
      if (mine !== previewGeneration) return;
      state.points = points;
    } catch (err) {
      if (mine === previewGeneration) showError(err);
      return;
    }
  }
  panel.update({ config, features: state.points.features });
  redraw();
}

async function uploadCsv(text) {
  try {
    await fetch("/api/v1/datasets/csv", { method: "POST", headers: { "Content-Type": "text/csv" }, body: text }).then(async (r) => {
      const answer = JSON.parse(await r.text());
      if (!r.ok) throw new ApiError(r.status, answer.error);
    });
  } catch (err) {
    panel.update({ csvError: err instanceof ApiError ? err.detail.message : String(err) });
    return;
  }
  panel.update({ csvError: null });
  Object.assign(state.config, { dataset: "csv", csv_text: text, features: null });
  state.preset = null;
  presets.update({ selected: null });
  configChanged();
}

function addPoint(x1, x2) {
  state.config.points = [...state.config.points, [Number(x1.toFixed(3)), Number(x2.toFixed(3)), state.addClass]];
  configChanged();
}

// --- the run -------------------------------------------------------------------------------

function showError(err) {
  if (!(err instanceof ApiError)) throw err;
  state.status = state.run && ACTIVE.has(state.status) ? state.status : "error";
  state.reason = err.detail.message;
  redraw();
}

/** Start a run with the current configuration (started, or paused for stepping). */
async function startRun({ start }) {
  reset({ keepNote: true });
  state.status = "starting";
  redraw();
  const handlers = {
    step: (entry) => { state.history.push(entry); redraw(); },
    frame: (frame) => { state.frame = frame; redraw(); },
    status: ({ status, reason, flags }) => {
      if (flags?.includes("overfitting") && reason?.startsWith("overfitting")) state.flag = reason;
      else { state.status = status; state.reason = reason; }
      redraw();
    },
  };
  try {
    const run = await RunClient.create(runRequest(state.config, { start }), handlers);
    state.run = run;
    state.status = run.state.status;
    state.points = await run.points();
  } catch (err) {
    state.status = "error";
    showError(err);
    return null;
  }
  redraw();
  return state.run;
}

async function play() {
  if (state.run && RESUMABLE.has(state.status)) return command("resume");
  await startRun({ start: true });
}

async function step() {
  const run = state.run && state.status === "paused" ? state.run : await startRun({ start: false });
  if (!run) return;
  try {
    await run.step(1);
  } catch (err) {
    showError(err);
  }
}

async function command(name) {
  if (!state.run) return;
  try {
    const answer = await state.run[name]();
    state.status = answer.status;
    state.reason = answer.reason;
  } catch (err) {
    showError(err);
  }
  redraw();
}

/** Forget the current run (stopping it on the server) and clear what it drew. */
function reset({ keepNote = false } = {}) {
  const run = state.run;
  if (run) {
    run.close();
    if (ACTIVE.has(state.status)) run.stop().catch(() => {}); // it may already have ended
  }
  Object.assign(state, { run: null, status: "none", reason: null, flag: null, history: [], frame: null });
  if (!keepNote) state.note = "";
  redraw();
}

async function openGraph() {
  const { run, frame } = state;
  if (!run || !frame) return;
  const tab = window.open("about:blank", "_blank"); // opened within the click, so never blocked
  try {
    const program = await run.program();
    if (tab) tab.location.href = graphUrl(program);
  } catch (err) {
    if (tab) tab.close();
    throw err;
  }
}

async function start() {
  const catalogue = await getJson("/api/v1/datasets");
  panel.update({ datasets: catalogue.datasets });
  presets.update({ presets: PRESETS, selected: state.preset });
  applyPreset(PRESETS[0]);
}

start();
