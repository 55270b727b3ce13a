// The decision boundary (or a 2-D regression surface) as a heatmap over the inputs, with the
// training points (circles) and validation points (triangles) on top. Clicking adds a point.
import { CLASS_COLOURS, PlotCanvas, tint, twoSided } from "./plot-canvas.js";

/** The fixed view (data units) while points are added by clicking. */
const CLICK_RANGE = [-6, 6];

/** Data units around the points when there is no grid yet (as the server pads its grids). */
function paddedRange(values) {
  if (!values.length) return [-6, 6];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.1, 0.5);
  return [lo - pad, hi + pad];
}

export class BoundaryView {
  /** `onAdd(x1, x2)` is called when the user clicks on the plot (when adding is on). */
  constructor(container, { onAdd }) {
    container.classList.add("boundary-view");
    this.plot = new PlotCanvas(container, { square: true });
    this.cells = document.createElement("canvas"); // one pixel per grid cell, scaled when drawn
    this.plot.canvas.addEventListener("click", (event) => {
      if (!this.state?.adding) return;
      const at = this.plot.toData(event);
      if (at) onAdd(at[0], at[1]);
    });
    this.state = null;
    this.signature = "";
  }

  /**
   * `state.points` (the preview/run points), `state.grid` (frame grid or null),
   * `state.unknown` (predictions for the data's unknown rows), `state.adding` (click adds points).
   */
  update(state) {
    this.state = state;
    this.plot.canvas.classList.toggle("adding", Boolean(state.adding));
    const { points, grid } = state;
    const all = points ? [...points.train.x, ...points.val.x] : [];
    // Clicking needs a view that stays put, whatever points are added.
    const fixed = state.adding ? CLICK_RANGE : null;
    const x = fixed || (grid ? grid.x1 : paddedRange(all.map((p) => p[0])));
    const y = fixed || (grid ? grid.x2 : paddedRange(all.map((p) => p[1])));
    this.plot.setDomain(x, y);
    const ctx = this.plot.begin();
    if (grid) this.drawGrid(ctx, grid, points);
    this.plot.axes(points?.input_names[0] ?? "x1", points?.input_names[1] ?? "x2");
    if (points) this.drawPoints(points, state.unknown);
    this.signature = grid ? `${grid.kind}:${grid.values.length}:${grid.values[0]?.slice(0, 8).join()}:${grid.values.at(-1)?.slice(-8).join()}` : "";
    this.plot.canvas.dataset.signature = this.signature;
  }

  colourOf(points) {
    if (points.task === "classification") return (label) => CLASS_COLOURS[label % CLASS_COLOURS.length];
    const ys = [...points.train.y, ...points.val.y];
    const scale = Math.max(1e-9, ...ys.map(Math.abs));
    return (value) => twoSided(value / scale);
  }

  drawGrid(ctx, grid, points) {
    const n = grid.resolution;
    this.cells.width = n;
    this.cells.height = n;
    const cctx = this.cells.getContext("2d");
    const image = cctx.createImageData(n, n);
    let scale = 1;
    if (grid.kind === "value") {
      const ys = points ? [...points.train.y, ...points.val.y] : grid.values.flat();
      scale = Math.max(1e-9, ...ys.map(Math.abs));
    }
    let below = 0; // cells drawn as class 0 (the tests read it)
    const unit = grid.scale || 1; // probabilities and confidences may come as thousandths
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        const v = grid.kind === "probability" ? grid.values[row][col] / unit : grid.values[row][col];
        let rgb;
        if (grid.kind === "probability") rgb = twoSided(Number.isFinite(v) ? 2 * v - 1 : 0);
        else if (grid.kind === "class") rgb = tint(CLASS_COLOURS[v % CLASS_COLOURS.length], (grid.confidence[row][col] / unit - 1 / grid.classes) / (1 - 1 / grid.classes));
        else rgb = twoSided(Number.isFinite(v) ? v / scale : 0);
        if (grid.kind === "probability" && v < 0.5) below++;
        const at = ((n - 1 - row) * n + col) * 4; // row 0 is the lowest x2: the bottom
        image.data.set([rgb[0], rgb[1], rgb[2], 190], at);
      }
    }
    cctx.putImageData(image, 0, 0);
    this.plot.canvas.dataset.classZeroShare = (below / (n * n)).toFixed(3);
    const b = this.plot.box;
    const p = this.plot;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.right - b.left, b.bottom - b.top);
    ctx.clip();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.cells, p.px(grid.x1[0]), p.py(grid.x2[1]), p.px(grid.x1[1]) - p.px(grid.x1[0]), p.py(grid.x2[0]) - p.py(grid.x2[1]));
    ctx.restore();
  }

  drawPoints(points, unknown) {
    const colour = this.colourOf(points);
    points.train.x.forEach((p, i) => this.plot.marker(p[0], p[1], colour(points.train.y[i]), "train"));
    points.val.x.forEach((p, i) => this.plot.marker(p[0], p[1], colour(points.val.y[i]), "val"));
    (points.unknown || []).forEach((p) => this.plot.marker(p[0], p[1], null, "unknown"));
    if (unknown) this.labelUnknown(points.unknown, unknown);
  }

  labelUnknown(rows, predictions) {
    const ctx = this.plot.ctx;
    ctx.font = "700 15px system-ui, sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    rows.forEach((p, i) => {
      const value = Array.isArray(predictions[i]) ? predictions[i][0] : predictions[i];
      const text = `≈ ${Number(value).toPrecision(3)}`;
      const x = this.plot.px(p[0]) + 12;
      const y = this.plot.py(p[1]);
      ctx.fillStyle = "#ffffffdd";
      ctx.fillRect(x - 3, y - 10, ctx.measureText(text).width + 6, 20);
      ctx.fillStyle = "#111";
      ctx.fillText(text, x, y);
    });
  }
}
