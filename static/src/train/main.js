// The Training lab's controller: one store holds the page's state; actions change it and talk
// to the API; the view (lab-view.js) redraws from it after every change.
import { ApiError, getJson, postCsv, postJson } from "../common/api.js";
import { createStore } from "../common/store.js";
import { menus } from "./catalogue.js";
import { DEFAULT_CONFIG, LIVE_KEYS, configFromRun, datasetChoice, runRequest } from "./config.js";
import { parseFeature } from "./features.js";
import { graphUrl } from "./graph-link.js";
import { LabView } from "./lab-view.js";
import { RunClient } from "./run-client.js";

const RESUMABLE = new Set(["paused", "diverged"]);
const ACTIVE = new Set(["running", "paused", "diverged"]);
/** The empty canvas of the "click to add points" dataset. */
const NO_POINTS = { input_names: ["x1", "x2"], target_names: ["y"], task: "classification", n_classes: 2, features: ["x1", "x2"], train: { x: [], y: [] }, val: { x: [], y: [] }, unknown: [] };

const store = createStore({
  catalogue: null, // GET /api/v1/datasets: every vocabulary and the presets
  config: structuredClone(DEFAULT_CONFIG),
  points: null, // the data's points (preview before a run, the run's afterwards)
  run: null, // the RunClient of the current run
  status: "none", // none, starting, running, paused, finished, diverged, stopped, error
  reason: null, // why the run paused, stopped or cannot start
  flag: null, // the overfitting notice
  history: [], // step events (one per epoch), appended in place
  frame: null, // the latest frame
  preset: null, // the chosen preset's id, or null for the user's own settings
  note: "", // the chosen preset's note
  addClass: 0, // class of the next clicked point
});
const set = (patch) => store.set(patch);
const state = () => store.state;

const view = new LabView({
  pickPreset: applyPreset,
  change: changeSetting,
  csv: uploadCsv,
  addPoint,
  addClass: (label) => set({ addClass: label }),
  fetchSurface: () => state().run.landscape(),
  bar: { play, pause: () => command("pause"), step, stop: () => command("stop"), reset: () => reset(), openGraph, change: changeSetting },
});
store.subscribe(() => view.schedule(state));

/** For the tests and the curious. */
window.trainLab = { get state() { return store.state; }, get drawCount() { return view.drawCount; } };

// --- configuration -------------------------------------------------------------------------

const specOf = (config) => state().catalogue.datasets.find((d) => d.name === config.dataset);

function applyPreset(preset) {
  view.lossChart.setScale(preset.view?.loss_scale || "linear");
  set({ preset: preset.id, note: preset.note, config: configFromRun(preset.run) });
  configChanged();
}

async function changeSetting(key, value) {
  const config = { ...state().config, [key]: value };
  if (key === "hidden") config.activations = value.map((_, i) => config.activations[i] || config.activations.at(-1) || "relu");
  if (key === "dataset") {
    config.features = null;
    // A loss chosen for classes does not fit a regression (nor the reverse): back to auto.
    if (specOf(config)?.task !== specOf(state().config)?.task) Object.assign(config, { loss: "auto", output: "auto" });
  }
  if (key === "model" && value !== "mlp") config.init = null;
  if (key === "model" && value === "mlp" && !config.hidden.length) Object.assign(config, { hidden: [8], activations: ["relu"] });
  if (key === "optimizer") config.optimizer_settings = {};
  set({ config });
  const { run, status } = state();
  if (LIVE_KEYS.has(key) && run && ACTIVE.has(status)) {
    view.panel.update({ config });
    try {
      await run.change({ [key]: value });
    } catch (err) {
      showError(err);
    }
    return;
  }
  if (LIVE_KEYS.has(key) && key !== "lr" && key !== "batch_size") return; // speed and drawing rate apply to the next run
  set({ preset: null, note: "" });
  configChanged();
}

/** A setting that defines the run changed: forget the run, show the new data. */
function configChanged() {
  reset({ keepNote: true });
  view.panel.update({ config: state().config });
  loadPreview();
}

let previewGeneration = 0;

async function loadPreview() {
  const mine = ++previewGeneration;
  const { config } = state();
  let points = NO_POINTS;
  if (config.dataset !== "points" || config.data.points?.length) {
    try {
      points = await postJson("/api/v1/datasets/preview", { dataset: datasetChoice(config, specOf(config)), val_fraction: config.val_fraction, seed: config.seed });
    } catch (err) {
      if (mine === previewGeneration) showError(err);
      return;
    }
    if (mine !== previewGeneration) return;
  }
  // Features arrive as names; the page holds them as structured values (features.js).
  const parse = (f) => parseFeature(f, points.input_names);
  const current = state().config;
  const chosen = current.features ? { ...current, features: current.features.map(parse) } : current;
  set({ points, config: chosen });
  view.panel.update({ config: chosen, features: points.features.map(parse) });
}

async function uploadCsv(text) {
  try {
    await postCsv("/api/v1/datasets/csv", text);
  } catch (err) {
    view.panel.update({ csvError: err instanceof ApiError ? err.detail.message : String(err) });
    return;
  }
  view.panel.update({ csvError: null });
  set({ preset: null, note: "", config: { ...state().config, dataset: "csv", data: { text }, features: null } });
  configChanged();
}

function addPoint(x1, x2) {
  const { config, addClass } = state();
  const points = [...(config.data.points || []), [Number(x1.toFixed(3)), Number(x2.toFixed(3)), addClass]];
  set({ config: { ...config, data: { ...config.data, points } } });
  configChanged();
}

// --- the run -------------------------------------------------------------------------------

function showError(err) {
  if (!(err instanceof ApiError)) throw err;
  const { run, status } = state();
  set({ status: run && ACTIVE.has(status) ? status : "error", reason: err.detail.message });
}

/** Start a run with the current configuration (started, or paused for stepping). */
async function startRun({ start }) {
  reset({ keepNote: true });
  set({ status: "starting" });
  const handlers = {
    step: (entry) => { state().history.push(entry); set({ history: state().history }); },
    frame: (frame) => set({ frame }),
    status: ({ status, reason, flags }) => {
      // The overfitting flag goes up, is updated and comes down with its own status events.
      if (reason?.startsWith("overfitting")) set({ flag: flags?.includes("overfitting") ? reason : null });
      else if (reason?.startsWith("no longer overfitting")) set({ flag: null });
      else set({ status, reason });
    },
  };
  try {
    const { config } = state();
    const run = await RunClient.create(runRequest(config, { start, spec: specOf(config) }), handlers);
    set({ run, status: run.state.status });
    set({ points: await run.points() });
  } catch (err) {
    set({ status: "error" });
    showError(err);
    return null;
  }
  return state().run;
}

async function play() {
  const { run, status } = state();
  if (run && RESUMABLE.has(status)) return command("resume");
  await startRun({ start: true });
}

async function step() {
  const { run: current, status } = state();
  const run = current && status === "paused" ? current : await startRun({ start: false });
  if (!run) return;
  try {
    await run.step(1);
  } catch (err) {
    showError(err);
  }
}

async function command(name) {
  const { run } = state();
  if (!run) return;
  try {
    const answer = await run[name]();
    set({ status: answer.status, reason: answer.reason });
  } catch (err) {
    showError(err);
  }
}

/** Forget the current run (stopping it on the server) and clear what it drew. */
function reset({ keepNote = false } = {}) {
  const { run, status } = state();
  if (run) {
    run.close();
    if (ACTIVE.has(status)) run.stop().catch(() => {}); // it may already have ended
  }
  set({ run: null, status: "none", reason: null, flag: null, history: [], frame: null, ...(keepNote ? {} : { note: "" }) });
}

async function openGraph() {
  const { run, frame } = state();
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
  set({ catalogue });
  view.panel.setCatalogue(menus(catalogue), catalogue.datasets);
  applyPreset(Object.values(catalogue.presets)[0]);
}

start();
