// The Graph lab's page controller: one store holds the view (program, values, output, dtype,
// selection), the evaluated graph and the frame an animation or replay shows; the controller
// asks the API and wires the widgets, and the graph is redrawn from the store.
import { ApiError, getJson, postJson } from "../common/api.js";
import { createStore } from "../common/store.js";
import { Animator } from "./animator.js";
import { ChainRulePanel } from "./chain-rule.js";
import { DescentPanel } from "./descent-panel.js";
import { Editor } from "./editor.js";
import { EXAMPLES, ExamplesMenu } from "./examples.js";
import { GraphView } from "./graph-view.js";
import { InputsPanel } from "./inputs-panel.js";
import { NudgePanel } from "./nudge-panel.js";
import { guessInputs } from "./program-names.js";
import { readHash, writeHash } from "./url-state.js";

const $ = (sel) => document.querySelector(sel);
/** Pause after the last keystroke before the program is sent (ms). */
const TYPING_DEBOUNCE_MS = 200;
/** Value a new input starts with. */
const NEW_INPUT_VALUE = 1;

/** The keys of the store that make up the shareable view (url-state.js). */
const VIEW_KEYS = ["source", "values", "output", "dtype", "selected", "example"];
const store = createStore({
  source: "", // the program text
  values: {}, // input name → number or nested lists
  output: null, // the chosen output name; null = the last assigned
  dtype: "float32",
  selected: null, // the selected node's id
  example: null, // the example on show, until the program is edited
  graph: null, // the evaluate answer
  frame: null, // what an animation or replay shows instead of the plain graph
  frameOwner: null, // "animator" or "descent": the one producer whose frame is on show
});
const ops = { symbols: {}, rules: {}, functions: new Set() };

/** The one writer of the frame: a producer's new frame replaces another producer's. */
function setFrame(owner, frame) {
  const current = store.state.frameOwner;
  if (!frame && current !== owner) return; // a producer ends only its own frame
  if (frame && current && current !== owner) (current === "animator" ? animator.reset({ silent: true }) : descent.stopReplay());
  store.set({ frame, frameOwner: frame ? owner : null });
}
store.subscribe((state, keys) => {
  if (keys.some((k) => k === "frame" || k === "graph" || k === "selected")) drawGraph();
});

const graphView = new GraphView($("#graph"), { onSelect: (id) => select(id) });

// Presenting: the side panels fold away and the graph takes the whole width, for a projector.
const present = document.createElement("button");
present.type = "button";
present.className = "present-toggle";
present.textContent = "Present";
present.title = "Hide the side panels: the graph takes the whole screen (Esc to leave)";
present.addEventListener("click", () => setPresenting(!document.body.classList.contains("presenting")));
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && document.body.classList.contains("presenting")) setPresenting(false);
});
$("#graph .graph-tools").prepend(present);

function setPresenting(on) {
  document.body.classList.toggle("presenting", on);
  present.textContent = on ? "Panels" : "Present";
  present.setAttribute("aria-pressed", String(on));
  requestAnimationFrame(() => graphView.fit(true));
}
const editor = new Editor($("#editor"), { onInput: (source) => { examples.update(store.set({ source, example: null })); schedule(TYPING_DEBOUNCE_MS); } });
const inputs = new InputsPanel($("#inputs .panel-body"), { onChange: (name, value) => { store.set({ values: { ...store.state.values, [name]: value } }); schedule(0); } });
const animator = new Animator($("#animator"), { onFrame: (f) => setFrame("animator", f) });
const chain = new ChainRulePanel($("#chain .panel-body"));
const nudge = new NudgePanel($("#nudge .panel-body"), { onNudge: runNudge });
const descent = new DescentPanel($("#descent .panel-body"), { onRun: runDescent, onFrame: showDescentFrame });
const examples = new ExamplesMenu($("#examples"), { onPick: loadExample });
const outputSelect = $("#output");
const dtypeSelect = $("#dtype");

outputSelect.addEventListener("change", () => { store.set({ output: outputSelect.value || null }); schedule(0); });
dtypeSelect.addEventListener("change", () => { store.set({ dtype: dtypeSelect.value }); schedule(0); });
$("#share").addEventListener("click", async () => {
  writeHash(store.state);
  try { await navigator.clipboard.writeText(location.href); $("#share").textContent = "Link copied"; } catch { $("#share").textContent = "Link in address bar"; }
  setTimeout(() => ($("#share").textContent = "Copy link"), 1500);
});

/** For the tests and the curious: the last draw time and the current store.state. */
window.gradplay = {
  get lastDrawMs() { return graphView.lastDrawMs; },
  get graph() { return store.state.graph; },
  get view() { return Object.fromEntries(VIEW_KEYS.map((k) => [k, store.state[k]])); },
  graphView,
  load: (v) => load(v),
};

function loadExample(example) {
  load({ source: example.source, values: example.values, output: null, selected: null, dtype: "float32", example: example.id });
  descent.update({ params: example.params, settings: example.descent });
}

function load(v) {
  store.set(Object.fromEntries(VIEW_KEYS.filter((k) => k in v).map((k) => [k, v[k]])));
  dtypeSelect.value = store.state.dtype;
  editor.update({ source: store.state.source, error: null, highlight: null });
  examples.update(store.state);
  schedule(0);
}

let timer = null;
let inFlight = false;
let again = false;
let generation = 0;

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(evaluate, delay);
}

/** Evaluate the current view; while a request is out, the newest view waits its turn. */
async function evaluate() {
  if (inFlight) { again = true; return; }
  inFlight = true;
  const mine = ++generation;
  try {
    await evaluateNow();
  } finally {
    inFlight = false;
    if (again) { again = false; evaluate(); }
  }
  return mine;
}

async function evaluateNow() {
  if (!store.state.source.trim()) {
    store.set({ graph: null });
    editor.update({ error: null, highlight: null });
    render();
    return;
  }
  // Send exactly the program's inputs: guessed from the text, corrected by the server's answer.
  const names = guessInputs(store.state.source, ops.functions);
  let values = pick(store.state.values, names);
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const answer = await postJson("/api/v1/graphs/evaluate", body(values));
      accept(answer);
      return;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const d = err.detail;
      // The program's inputs changed: give new ones a value, drop the ones that are gone.
      if (d.type === "missing_value" && d.names) {
        values = { ...values };
        for (const name of d.names) values[name] = store.state.values[name] ?? NEW_INPUT_VALUE;
        continue;
      }
      if (d.type === "unknown_value" && d.names) {
        values = { ...values };
        for (const name of d.names) delete values[name];
        continue;
      }
      if (d.type === "unknown_output") {
        if (store.state.output) { store.set({ output: null }); continue; }
      }
      showError(d);
      return;
    }
  }
}

function body(values) {
  const b = { source: store.state.source, values, dtype: store.state.dtype };
  if (store.state.output) b.output = store.state.output;
  return b;
}

function pick(values, names) {
  const out = {};
  for (const n of names) out[n] = n in values ? values[n] : NEW_INPUT_VALUE;
  return out;
}

function accept(answer) {
  for (const n of answer.nodes) n.symbol = ops.symbols[n.op] || n.op;
  const graph = answer;
  const inputNodes = graph.nodes.filter((n) => n.kind === "input");
  const values = {};
  for (const n of inputNodes) values[n.id] = n.id in store.state.values ? store.state.values[n.id] : n.value;
  const selected = store.state.selected && graph.nodes.some((n) => n.id === store.state.selected) ? store.state.selected : null;
  store.set({ graph, values, selected });
  editor.update({ error: null, highlight: highlightOf(store.state.selected) });
  $("#graph").classList.remove("stale");
  render();
}

function showError(detail) {
  editor.update({ error: detail, highlight: null });
  $("#graph").classList.add("stale");
  descent.update({});
}

function highlightOf(id) {
  const node = store.state.graph?.nodes.find((n) => n.id === id);
  return node?.span || null;
}

function select(id) {
  store.set({ selected: id });
  editor.update({ highlight: highlightOf(id) });
  chain.update({ graph: store.state.graph, selected: id, rules: ops.rules });
  writeHash(store.state);
}

function render() {
  const { graph } = store.state;
  const inputNodes = graph ? graph.nodes.filter((n) => n.kind === "input") : [];
  inputs.update({ inputs: inputNodes.map((n) => ({ name: n.id, shape: n.shape })), values: store.state.values });
  const assigned = graph ? graph.nodes.filter((n) => n.name && n.kind === "op").map((n) => n.name) : [];
  outputSelect.replaceChildren(...assigned.map((n) => new Option(n, n)));
  outputSelect.value = graph?.output || "";
  nudge.update({ inputs: inputNodes.filter((n) => !n.shape.length).map((n) => n.id), output: graph?.output });
  descent.update({ inputs: inputNodes.map((n) => n.id) });
  animator.update({ graph });
  chain.update({ graph, selected: store.state.selected, rules: ops.rules });
  writeHash(store.state);
}

function drawGraph() {
  const { graph, selected, frame } = store.state;
  graphView.update({ graph, selected, ...(frame || {}) });
}

async function runNudge(input, epsilon) {
  try {
    const answer = await postJson("/api/v1/graphs/evaluate", { ...body(pick(store.state.values, Object.keys(store.state.values))), nudge: { input, epsilon } });
    nudge.update({ output: answer.output, result: answer.nudge });
  } catch (err) {
    nudge.update({ result: null });
    if (err instanceof ApiError) showError(err.detail); else throw err;
  }
}

async function runDescent({ params, steps, optimizer }) {
  const request = {
    source: store.state.source,
    values: store.state.values,
    params,
    objective: store.state.graph?.output || store.state.output,
    steps,
    record_every: Math.max(1, Math.floor(steps / 200)),
    optimizer,
    dtype: store.state.dtype,
  };
  try {
    const result = await postJson("/api/v1/graphs/optimize", request);
    descent.update({ result });
    lastDescent = result;
  } catch (err) {
    if (err instanceof ApiError) descent.update({ error: err.detail.message }); else throw err;
  }
}

let lastDescent = null;

/** Show one history entry on the graph: the parameters' values and the objective; null ends it. */
function showDescentFrame(entry) {
  const { graph } = store.state;
  if (!graph) return;
  if (entry === null) {
    setFrame("descent", null);
    if (lastDescent?.params) store.set({ values: { ...store.state.values, ...lastDescent.params } });
    schedule(0);
    return;
  }
  const values = new Map(graph.nodes.map((n) => [n.id, n.value]));
  for (const [name, v] of Object.entries(entry.params || {})) values.set(name, v);
  values.set(graph.output, entry.loss);
  setFrame("descent", { values, grads: new Map(), activeNode: graph.output });
}

async function start() {
  try {
    const catalogue = await getJson("/api/v1/ops");
    for (const op of catalogue.ops) {
      ops.symbols[op.name] = op.symbol;
      ops.rules[op.name] = op.rule;
      if (op.callable) ops.functions.add(op.name);
    }
    descent.update({ optimizers: Object.keys(catalogue.optimizers) });
  } catch { /* the page still works; names just show the op's id */ }
  const fromUrl = readHash();
  if (fromUrl) {
    load(fromUrl);
    if (fromUrl.example) examples.update(fromUrl);
  } else {
    loadExample(structuredClone(EXAMPLES[0]));
  }
}

start();
