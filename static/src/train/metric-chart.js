// A live chart of per-epoch metrics (uPlot): train and validation loss on a linear or log
// scale, or train and validation accuracy.
import uPlot from "uplot";
import { h } from "../common/dom.js";

// Dots while there are only a few epochs: a run that diverges in its first epochs still shows.
const FEW_POINTS = (u) => u.data[0].length < 30;

/** A tick label that fits the axis: 1e6 rather than 1,000,000; 0.001 as 1e-3. */
function compact(x) {
  if (x == null) return "";
  const a = Math.abs(x);
  if (a >= 1e4 || (a > 0 && a < 1e-3)) return x.toExponential(0).replace("e+", "e");
  return String(Number(x.toPrecision(3)));
}

const TRAIN = "#1d4ed8";
const VAL = "#c2410c";
const HEIGHT = 150; // pixels of the plot
const FONT = "600 14px system-ui, sans-serif";

/** null for what a chart cannot draw (NaN, ±∞, and on a log scale anything ≤ 0). */
function drawable(v, log) {
  return Number.isFinite(v) && (!log || v > 0) ? v : null;
}

export class MetricChart {
  /** `options.metric`: "loss" or "accuracy" (the history fields train_<metric> and val_<metric>). */
  constructor(container, { metric, title }) {
    this.metric = metric;
    this.log = false;
    container.classList.add("metric-chart");
    const swatch = (colour) => h("i", { style: `background:${colour}` });
    this.logBox = metric === "loss" ? h("input", { type: "checkbox", className: "log", "aria-label": "log scale" }) : null;
    this.plotBox = h("div", { className: "plot" });
    container.replaceChildren(
      h("div", { className: "chart-head" }, h("h2", {}, title),
        h("span", { className: "key" }, swatch(TRAIN), "train ", swatch(VAL), "validation"),
        this.logBox && h("label", { className: "check" }, this.logBox, " log scale")),
      this.plotBox,
    );
    this.container = container;
    this.logBox?.addEventListener("change", () => this.setScale(this.logBox.checked ? "log" : "linear"));
    this.entries = [];
    this.drawn = -1;
    new ResizeObserver(() => this.resize()).observe(this.plotBox);
  }

  /** "log" or "linear" (a preset's `view.loss_scale`, or the checkbox). */
  setScale(scale) {
    this.log = scale === "log";
    if (this.logBox) this.logBox.checked = this.log;
    if (this.chart) this.build();
  }

  /** `state.history`: the run's history entries so far (the chart draws what is new);
   * `blowUp`: `{epoch, loss}` of the update that diverged mid-epoch, drawn after the history so
   * the jump that stopped the run is on the chart too. */
  update({ history, blowUp = null }) {
    if (history !== this.entries || blowUp?.loss !== this.blowUp?.loss) this.drawn = -1;
    this.entries = history;
    this.blowUp = blowUp;
    if (!this.chart) this.build();
    if (this.drawn === history.length) return;
    this.chart.setData(this.columns());
    this.drawn = history.length;
  }

  columns() {
    const log = this.metric === "loss" && this.log;
    const last = this.entries.at(-1);
    const extra = this.blowUp && (!last || this.blowUp.epoch > last.epoch)
      ? [{ epoch: this.blowUp.epoch, [`train_${this.metric}`]: this.blowUp.loss }]
      : [];
    const h = [...this.entries, ...extra];
    return [
      h.map((e) => e.epoch),
      h.map((e) => drawable(e[`train_${this.metric}`], log)),
      h.map((e) => drawable(e[`val_${this.metric}`], log)),
    ];
  }

  build() {
    this.chart?.destroy();
    const accuracy = this.metric === "accuracy";
    const axis = { font: FONT, labelFont: FONT, stroke: "#15171a", grid: { stroke: "#e5e3dc" }, ticks: { stroke: "#cfccc3" } };
    this.chart = new uPlot(
      {
        width: Math.max(240, this.plotBox.clientWidth || 400),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: (u, lo, hi) => [lo ?? 0, Math.max(hi ?? 1, (lo ?? 0) + 1)] },
          y: accuracy ? { range: [0, 1] } : { distr: this.log ? 3 : 1 },
        },
        axes: [
          { ...axis, label: "epoch", size: 40, labelSize: 20, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000] },
          { ...axis, label: accuracy ? "accuracy" : "loss", size: 64, labelSize: 20, values: accuracy ? (u, v) => v.map((x) => `${Math.round(x * 100)}%`) : (u, v) => v.map(compact) },
        ],
        series: [
          {},
          { label: "train", stroke: TRAIN, width: 3, points: { show: FEW_POINTS, size: 8, fill: TRAIN }, spanGaps: true },
          { label: "validation", stroke: VAL, width: 3, dash: [8, 4], points: { show: FEW_POINTS, size: 8, fill: VAL }, spanGaps: true },
        ],
      },
      this.columns(),
      this.plotBox,
    );
    this.drawn = this.entries.length;
  }

  resize() {
    if (this.chart && this.plotBox.clientWidth) this.chart.setSize({ width: this.plotBox.clientWidth, height: HEIGHT });
  }

  /** Hide the chart (accuracy of a regression). */
  show(on) {
    this.container.hidden = !on;
  }
}
