// Run controls (play, pause, step, stop, reset), speed and drawing rate, and the status line
// that says what the run is doing and why it stopped.
import { html, render } from "../common/dom.js";
import { fmt } from "../common/format.js";

const SPEEDS = [["as fast as possible", null], ["1 step per frame", 1], ["5 steps per frame", 5], ["20 steps per frame", 20], ["100 steps per frame", 100]];
const RATES = [2, 5, 10, 20, 30];

export class RunBar {
  /** `on.play`, `on.pause`, `on.step`, `on.stop`, `on.reset`, `on.openGraph`, `on.change(key, value)`. */
  constructor(container, on) {
    container.classList.add("run-bar");
    render(container, html`
<div class="run-buttons">
  <button type="button" class="play primary">▶ Play</button>
  <button type="button" class="pause">❚❚ Pause</button>
  <button type="button" class="step" title="One update on one batch">Step ›</button>
  <button type="button" class="stop">■ Stop</button>
  <button type="button" class="reset" title="Forget this run and start afresh">↺ Reset</button>
  <label>Speed <select class="speed" aria-label="speed">${SPEEDS.map(([l, v]) => html`<option value="${v}">${l}</option>`)}</select></label>
  <label>Drawing <select class="rate" aria-label="drawing rate">${RATES.map((r) => html`<option value="${r}">${r} frames/s</option>`)}</select></label>
  <button type="button" class="open-graph" title="The model's autograd graph for one batch, in the Graph lab">Open autograd graph ↗</button>
</div>
<p class="status-line" role="status" aria-live="polite"></p>
<p class="flag-line" hidden></p>`);
    const $ = (s) => container.querySelector(s);
    this.buttons = { play: $(".play"), pause: $(".pause"), step: $(".step"), stop: $(".stop"), reset: $(".reset"), graph: $(".open-graph") };
    for (const [name, button] of Object.entries(this.buttons)) {
      button.addEventListener("click", () => (name === "graph" ? on.openGraph() : on[name]()));
    }
    this.speed = $(".speed");
    this.rate = $(".rate");
    this.speed.addEventListener("change", () => on.change("steps_per_frame", this.speed.value === "null" ? null : Number(this.speed.value)));
    this.rate.addEventListener("change", () => on.change("frames_per_second", Number(this.rate.value)));
    this.statusLine = $(".status-line");
    this.flagLine = $(".flag-line");
  }

  /**
   * `state.status` (none, starting, running, paused, finished, diverged, stopped, failed, error),
   * `state.reason`, `state.metrics` (latest history entry), `state.epoch`, `state.step`,
   * `state.flag` (overfitting message), `state.config`, `state.canGraph`.
   */
  update({ status, reason, metrics, epoch, step, flag, config, canGraph }) {
    const b = this.buttons;
    const live = status === "running" || status === "starting";
    b.play.disabled = live;
    b.play.textContent = status === "paused" || status === "diverged" ? "▶ Resume" : "▶ Play";
    b.pause.disabled = status !== "running";
    b.step.disabled = live;
    b.stop.disabled = !["running", "paused", "diverged"].includes(status);
    b.graph.disabled = !canGraph;
    if (config) {
      this.speed.value = String(config.steps_per_frame);
      this.rate.value = String(config.frames_per_second);
    }
    this.statusLine.className = `status-line status-${status}`;
    this.statusLine.replaceChildren(...this.describe({ status, reason, metrics, epoch, step }));
    this.flagLine.hidden = !flag;
    this.flagLine.textContent = flag ? `⚠ ${flag}` : "";
  }

  describe({ status, reason, metrics, epoch, step }) {
    const word = {
      none: "Ready", starting: "Starting…", running: "Running", paused: "Paused", finished: "Finished",
      diverged: "Diverged", stopped: "Stopped", failed: "Failed", error: "Cannot start",
    }[status] || status;
    const parts = [strong(word)];
    if (status !== "none" && status !== "error" && status !== "starting") {
      let text = ` · epoch ${epoch ?? 0} · step ${step ?? 0}`;
      if (metrics?.train_loss !== undefined) text += ` · train loss ${fmt(metrics.train_loss)}`;
      if (metrics?.val_loss !== null && metrics?.val_loss !== undefined) text += ` · validation loss ${fmt(metrics.val_loss)}`;
      if (metrics?.val_accuracy !== null && metrics?.val_accuracy !== undefined) text += ` · validation accuracy ${fmt(100 * metrics.val_accuracy, 3)}%`;
      parts.push(document.createTextNode(text));
    }
    if (status === "none") parts.push(document.createTextNode(" · choose data and a model, then press Play (or Step)."));
    if (reason) {
      const why = document.createElement("span");
      why.className = "reason";
      why.textContent = status === "diverged" || status === "failed" ? `: ${reason}` : ` · ${reason}`;
      parts.push(why);
    }
    return parts;
  }
}

function strong(text) {
  const el = document.createElement("strong");
  el.textContent = text;
  return el;
}
