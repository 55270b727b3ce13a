// Forward and backward pass animations: values appear node by node in topological order,
// then gradients flow back edge by edge as local derivative × upstream = contribution.
import { h, html, render } from "../common/dom.js";
import { backwardFrames, forwardFrames } from "./animator-frames.js";

const IDLE_CAPTION = () => ["Press ", h("b", {}, "Forward"), " or ", h("b", {}, "Backward"), " to watch the passes."];

export class Animator {
  /** `onFrame(frame | null)`: what the graph should show; null means "everything". */
  constructor(container, { onFrame = () => {} } = {}) {
    this.onFrame = onFrame;
    this.frames = [];
    this.position = -1;
    this.timer = null;
    container.classList.add("animator");
    render(container, html`<div class="anim-buttons">
<button type="button" data-act="forward" title="Play the forward pass">▶ Forward</button>
<button type="button" data-act="backward" title="Play the backward pass">◀ Backward</button>
<button type="button" data-act="pause" title="Pause or resume">❚❚ Pause</button>
<button type="button" data-act="step" title="One step">Step ›</button>
<button type="button" data-act="reset" title="Show everything">Show all</button>
<label class="speed">Speed <input type="range" min="0.5" max="12" step="0.5" value="2" aria-label="steps per second"></label>
</div>
<p class="anim-caption" aria-live="polite"></p>`);
    this.caption = container.querySelector(".anim-caption");
    this.caption.replaceChildren(...IDLE_CAPTION());
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

  /** Show everything again; `silent`: another producer's frame takes over, so say nothing. */
  reset({ silent = false } = {}) {
    this.stopTimer();
    this.position = -1;
    this.frames = [];
    this.caption.replaceChildren(...IDLE_CAPTION());
    if (!silent) this.onFrame(null);
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
