// Gradient descent on the program: choose parameters, optimizer, learning rate and steps;
// the run's history is replayed on the graph while the objective is plotted against the step.
import uPlot from "uplot";
import { html, render } from "../common/dom.js";
import { fmt } from "../common/format.js";

/** Input names that usually hold data rather than parameters. */
const DATA_NAME = /^(x|y|X|Y|t_u|t_c|x\d+|y\d+|target|targets|label|labels|data)$/;


/** How many history entries the replay shows at most (the rest is skipped evenly). */
const MAX_FRAMES = 120;
/** Replay length in milliseconds. */
const REPLAY_MS = 2400;

export class DescentPanel {
  /** `onRun(request)` runs the optimizer; `onFrame(entry | null)` shows one history entry on the graph. */
  constructor(container, { onRun = () => {}, onFrame = () => {} } = {}) {
    this.onFrame = onFrame;
    container.classList.add("descent-panel");
    render(container, html`<div class="params" aria-label="parameters"></div>
<div class="row">
<label>Optimizer <select class="opt" aria-label="optimizer"></select></label>
<label>lr <input class="lr" type="number" step="any" value="0.01" aria-label="learning rate"></label>
<label>Steps <input class="steps" type="number" min="1" max="100000" value="100" aria-label="steps"></label>
<button type="button" class="run">Run</button>
</div>
<p class="descent-status" aria-live="polite"></p>
<div class="descent-chart"></div>`);
    this.paramsBox = container.querySelector(".params");
    this.opt = container.querySelector(".opt");
    this.lr = container.querySelector(".lr");
    this.steps = container.querySelector(".steps");
    this.status = container.querySelector(".descent-status");
    this.chartBox = container.querySelector(".descent-chart");
    this.runButton = container.querySelector(".run");
    this.runButton.addEventListener("click", () => {
      const params = [...this.paramsBox.querySelectorAll("input:checked")].map((c) => c.value);
      if (!params.length) {
        this.status.textContent = "Tick at least one parameter to descend on.";
        return;
      }
      this.status.textContent = "Running…";
      onRun({
        params,
        steps: Math.max(1, Math.round(Number(this.steps.value) || 1)),
        optimizer: { name: this.opt.value, lr: Number(this.lr.value) },
      });
    });
  }

  /**
   * `state.inputs` (input names), `state.params` (names ticked by default),
   * `state.settings` ({optimizer, lr, steps} defaults from an example), `state.result`
   * (the optimize answer to plot and replay), `state.error` (message), `state.optimizers`
   * (the names of GET /api/v1/ops `optimizers`).
   */
  update({ inputs, params, settings, result, error, optimizers }) {
    if (optimizers) {
      const keep = this.opt.value;
      this.opt.replaceChildren(...optimizers.map((name) => new Option(name, name)));
      if (optimizers.includes(keep)) this.opt.value = keep;
    }
    if (params) this.defaultParams = params; // ticked once the program's inputs are known
    if (inputs) {
      this.setInputs(inputs, this.defaultParams);
      this.defaultParams = null;
    }
    if (settings) {
      if (settings.optimizer) this.opt.value = settings.optimizer;
      if (settings.lr !== undefined) this.lr.value = String(settings.lr);
      if (settings.steps !== undefined) this.steps.value = String(settings.steps);
    }
    if (error) this.status.textContent = error;
    if (result) this.replay(result);
  }

  setInputs(inputs, defaults) {
    const current = [...this.paramsBox.querySelectorAll("input")];
    // Without an example's choice, a new program starts with its parameters ticked: every input
    // but the ones named like data (x, y, t_u, x1…), unless data is all there is (y = x²).
    const learnable = inputs.filter((name) => !DATA_NAME.test(name));
    const checked = defaults || (current.length ? current.filter((c) => c.checked).map((c) => c.value) : learnable.length ? learnable : inputs);
    if (!defaults && current.map((c) => c.value).join() === inputs.join()) return;
    this.paramsBox.replaceChildren(
      ...inputs.map((name) => {
        const label = document.createElement("label");
        label.className = "param";
        const box = document.createElement("input");
        box.type = "checkbox";
        box.value = name;
        box.checked = checked.includes(name);
        label.append(box, ` ${name}`);
        return label;
      }),
    );
  }

  /** Stop a replay where it is (another producer's frame takes over the graph). */
  stopReplay() {
    clearInterval(this.timer);
  }

  replay(result) {
    clearInterval(this.timer);
    const history = result.history || [];
    const xs = history.map((h) => h.step);
    const ys = history.map((h) => h.loss);
    const finite = ys.filter(Number.isFinite);
    const positive = finite.length && finite.every((y) => y > 0);
    this.drawChart(xs, ys, positive);
    const stride = Math.max(1, Math.ceil(history.length / MAX_FRAMES));
    const frames = history.filter((_, i) => i % stride === 0 || i === history.length - 1);
    const say = (entry) => {
      const verdict = result.status === "diverged" ? ` — diverged: ${result.reason || "the objective is no longer finite"}` : "";
      this.status.textContent = `step ${entry.step} of ${result.steps_run} · objective ${fmt(entry.loss)}${verdict}`;
    };
    let k = 0;
    const tick = () => {
      const entry = frames[k];
      const shown = xs.filter((x) => x <= entry.step).length;
      this.chart?.setData([xs.slice(0, shown), ys.slice(0, shown)]);
      say(entry);
      this.onFrame(entry);
      k++;
      if (k >= frames.length) {
        clearInterval(this.timer);
        this.chart?.setData([xs, ys]);
        this.status.textContent = `${result.status === "diverged" ? "Diverged" : "Finished"}: ${result.steps_run} steps, objective ${fmt(ys[0])} → ${fmt(result.loss)}`;
        this.onFrame(null);
      }
    };
    tick();
    if (k < frames.length) this.timer = setInterval(tick, Math.max(16, REPLAY_MS / frames.length));
  }

  drawChart(xs, ys, logScale) {
    this.chart?.destroy();
    const finite = ys.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const width = Math.max(240, this.chartBox.clientWidth || 320);
    const yRange = logScale
      ? () => [lo / 1.3, hi * 1.3]
      : () => (lo === hi ? [lo - 1, hi + 1] : [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)]);
    this.chart = new uPlot(
      {
        width,
        height: 190,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: () => [xs[0] ?? 0, Math.max(xs.at(-1) ?? 1, (xs[0] ?? 0) + 1)] },
          y: { distr: logScale ? 3 : 1, range: yRange },
        },
        axes: [
          { label: "step", font: "13px system-ui", labelFont: "13px system-ui", size: 34, labelSize: 18 },
          { label: "objective", font: "13px system-ui", labelFont: "13px system-ui", size: 56, labelSize: 18 },
        ],
        series: [{}, { label: "objective", stroke: "#1d4ed8", width: 2.5, points: { show: false } }],
      },
      [xs.slice(0, 1), ys.slice(0, 1)],
      this.chartBox,
    );
  }
}
