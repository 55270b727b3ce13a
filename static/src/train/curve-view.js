// A one-input model: the data as points (training circles, validation triangles) and the
// model's fitted curve over the input's range.
import { PlotCanvas } from "./plot-canvas.js";

const TRAIN = [8, 119, 189];
const FIT = "#c2410c";

function range(values) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = Math.max((hi - lo) * 0.1, 0.5);
  return [lo - pad, hi + pad];
}

export class CurveView {
  constructor(container) {
    container.classList.add("curve-view");
    this.plot = new PlotCanvas(container);
  }

  /** `state.points` (the data), `state.curve` ({x, y} of the fitted function, or null). */
  update({ points, curve }) {
    if (!points) return;
    const xs = [...points.train.x, ...points.val.x].map((p) => p[0]);
    const ys = [...points.train.y, ...points.val.y];
    // The y range follows the data (a diverging fit runs off the plot rather than squashing it).
    this.plot.setDomain(curve ? [curve.x[0], curve.x.at(-1)] : range(xs), range(ys));
    const ctx = this.plot.begin();
    this.plot.axes(points.input_names[0], points.target_names[0]);
    points.train.x.forEach((p, i) => this.plot.marker(p[0], points.train.y[i], TRAIN, "train"));
    points.val.x.forEach((p, i) => this.plot.marker(p[0], points.val.y[i], TRAIN, "val"));
    if (curve) this.drawCurve(ctx, curve);
    this.plot.canvas.dataset.curve = curve ? curve.y.slice(0, 3).join() : "";
  }

  drawCurve(ctx, curve) {
    const b = this.plot.box;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.right - b.left, b.bottom - b.top);
    ctx.clip();
    ctx.beginPath();
    let pen = false;
    curve.x.forEach((x, i) => {
      const y = curve.y[i];
      if (!Number.isFinite(y)) { pen = false; return; }
      const py = Math.max(-1e4, Math.min(1e4, this.plot.py(y)));
      if (pen) ctx.lineTo(this.plot.px(x), py);
      else ctx.moveTo(this.plot.px(x), py);
      pen = true;
    });
    ctx.strokeStyle = FIT;
    ctx.lineWidth = 3.5;
    ctx.stroke();
    ctx.restore();
  }
}
