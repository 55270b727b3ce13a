// Forward and backward pass animations: values appear node by node in topological order,
// then gradients flow back edge by edge as local derivative × upstream = contribution.
import { fmt, fmtFactor } from "../common/format.js";
import { indexGraph, nodeName, partial } from "./graph-text.js";

export class Animator {
  /** `onFrame(frame | null)`: what the graph should show; null means "everything". */
  constructor(container, { onFrame = () => {} } = {}) {
    this.onFrame = onFrame;
    this.frames = [];
    this.position = -1;
    this.timer = null;
    container.classList.add("animator");
    container.innerHTML = `<div class="anim-buttons">
<button type="button" data-act="forward" title="Play the forward pass">▶ Forward</button>
<button type="button" data-act="backward" title="Play the backward pass">◀ Backward</button>
<button type="button" data-act="pause" title="Pause or resume">❚❚ Pause</button>
<button type="button" data-act="step" title="One step">Step ›</button>
<button type="button" data-act="reset" title="Show everything">Show all</button>
<label class="speed">Speed <input type="range" min="0.5" max="12" step="0.5" value="2" aria-label="steps per second"></label>
</div>
<p class="anim-caption" aria-live="polite">Press <b>Forward</b> or <b>Backward</b> to watch the passes.</p>`;
    this.caption = container.querySelector(".anim-caption");
    this.speed = container.querySelector(".speed input");
    this.pauseButton = container.querySelector('[data-act="pause"]');
    container.addEventListener("click", (ev) => {
      const act = ev.target.closest("button")?.dataset.act;
      if (act) this[act]();
    });
    this.speed.addEventListener("input", () => this.timer && this.schedule());
  }

  /** A new graph ends any running animation. */
  update({ graph }) {
    if (graph === this.graph) return;
    this.graph = graph;
    if (this.position >= 0) this.reset();
  }

  get playing() {
    return this.timer !== null;
  }

  forward() {
    this.start(forwardFrames(this.graph));
  }

  backward() {
    this.start(backwardFrames(this.graph));
  }

  start(frames) {
    if (!frames.length) return;
    this.frames = frames;
    this.position = 0;
    this.show();
    this.schedule();
  }

  pause() {
    if (this.timer) {
      this.stopTimer();
    } else if (this.position >= 0 && this.position < this.frames.length - 1) {
      this.schedule();
    }
    this.syncButtons();
  }

  step() {
    this.stopTimer();
    if (this.position < 0) {
      this.frames = forwardFrames(this.graph);
      this.position = 0;
    } else if (this.position < this.frames.length - 1) {
      this.position++;
    }
    this.show();
  }

  reset() {
    this.stopTimer();
    this.position = -1;
    this.frames = [];
    this.caption.innerHTML = "Press <b>Forward</b> or <b>Backward</b> to watch the passes.";
    this.onFrame(null);
    this.syncButtons();
  }

  schedule() {
    this.stopTimer();
    this.timer = setInterval(() => {
      if (this.position >= this.frames.length - 1) {
        this.stopTimer();
        this.syncButtons();
        return;
      }
      this.position++;
      this.show();
    }, 1000 / Number(this.speed.value));
    this.syncButtons();
  }

  stopTimer() {
    clearInterval(this.timer);
    this.timer = null;
  }

  syncButtons() {
    this.pauseButton.textContent = this.timer ? "❚❚ Pause" : "▶ Resume";
    this.pauseButton.disabled = this.position < 0;
  }

  show() {
    const frame = this.frames[this.position];
    this.caption.textContent = `${this.position + 1}/${this.frames.length} · ${frame.caption}`;
    this.onFrame(frame);
  }
}

/** One frame per node in topological order: its value appears. */
export function forwardFrames(graph) {
  if (!graph) return [];
  const values = new Map();
  return graph.nodes.map((n) => {
    values.set(n.id, n.value);
    const what = n.kind === "input" ? "input" : n.kind === "const" ? "constant" : `${n.label} =`;
    return {
      values: new Map(values),
      grads: new Map(),
      activeNode: n.id,
      caption: `forward: ${nodeName(n)} ${n.kind === "op" ? "= " + n.label + " = " : "(" + what + ") = "}${valueText(n.value)}`,
    };
  });
}

/** The seed, then one frame per edge from the output back: local × upstream = contribution. */
export function backwardFrames(graph) {
  if (!graph) return [];
  const { byId, incoming, outgoing, output } = indexGraph(graph);
  const values = new Map(graph.nodes.map((n) => [n.id, n.value]));
  const grads = new Map([[output.id, output.grad]]);
  const sums = new Map(); // id → contributions received so far
  const partialIds = new Set();
  const frames = [
    {
      values,
      grads: new Map(grads),
      partial: new Set(),
      activeNode: output.id,
      caption: `backward: seed ${partial(output, output)} = ${graph.seed === "sum" ? "1 for every element (gradient of the sum)" : "1"}`,
    },
  ];
  // Nodes the output depends on: only their edges carry gradient.
  const reaches = new Set([output.id]);
  for (const n of [...graph.nodes].reverse()) {
    if (reaches.has(n.id)) for (const e of incoming.get(n.id)) reaches.add(e.source);
  }
  const order = [...graph.nodes].reverse();
  for (const target of order) {
    if (!reaches.has(target.id)) continue;
    for (const e of incoming.get(target.id)) {
      const source = byId.get(e.source);
      const got = sums.get(source.id) || [];
      got.push(e.contribution);
      sums.set(source.id, got);
      const done = got.length >= outgoing.get(source.id).filter((o) => reaches.has(o.target)).length;
      let edgeNote = null;
      let caption;
      if (e.local_grad !== null && e.local_grad !== undefined && typeof target.grad === "number") {
        edgeNote = `${fmtFactor(e.local_grad)} × ${fmtFactor(target.grad)} = ${fmt(e.contribution)}`;
        caption = `${partial(target, source)} × ${partial(output, target)} = ${edgeNote}`;
      } else {
        caption = `${nodeName(source)} ← ${nodeName(target)}: tensor gradient (shapes ${shapeText(source)} ← ${shapeText(target)})`;
      }
      if (done) {
        grads.set(source.id, source.grad);
        partialIds.delete(source.id);
        if (got.length > 1 && got.every((c) => typeof c === "number")) {
          caption += `; fan-in: ${partial(output, source)} = ${got.map((c) => fmt(c)).join(" + ").replace(/\+ −/g, "− ")} = ${fmt(source.grad)}`;
        }
      } else {
        const numeric = got.every((c) => typeof c === "number");
        grads.set(source.id, numeric ? got.reduce((a, b) => a + b, 0) : undefined);
        partialIds.add(source.id);
      }
      frames.push({
        values,
        grads: new Map(grads),
        partial: new Set(partialIds),
        activeEdge: e.index,
        activeNode: source.id,
        edgeNote,
        caption: `backward: ${caption}`,
      });
    }
  }
  return frames;
}

const shapeText = (n) => (n.shape?.length ? n.shape.join("×") : "scalar");
const valueText = (v) => (Array.isArray(v) ? "tensor" : fmt(v));
