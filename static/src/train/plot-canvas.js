// A canvas with data axes: sizes itself to its box (sharp on any screen), maps data units to
// pixels and back, draws ticks and axis names, and the point markers every plot shares.

const MARGIN = { left: 58, right: 14, top: 12, bottom: 46 }; // pixels around the plot area
const FONT = "600 15px system-ui, sans-serif";

/** Class colours (class 0 orange, class 1 blue as in TensorFlow Playground, then more). */
export const CLASS_COLOURS = [[232, 121, 18], [8, 119, 189], [22, 163, 74], [147, 51, 234], [219, 39, 119], [100, 116, 139], [202, 138, 4], [13, 148, 136]];
const WHITE = [250, 250, 248];

/** A colour between white (t = 0) and `rgb` (t = 1), as [r, g, b]. */
export function tint(rgb, t) {
  const a = Math.max(0, Math.min(1, t));
  return WHITE.map((w, i) => Math.round(w + (rgb[i] - w) * a));
}

/** Colour of a probability of class 1 (orange below 0.5, blue above), or of a signed value scaled to [−1, 1]. */
export function twoSided(t) {
  return t < 0 ? tint(CLASS_COLOURS[0], -t) : tint(CLASS_COLOURS[1], t);
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo, hi, count = 6) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const step = [1, 2, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const label = (v) => Number(v.toPrecision(4)).toString().replace("-", "−");

export class PlotCanvas {
  constructor(container, { square = false } = {}) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "plot-canvas";
    container.append(this.canvas);
    this.square = square;
    this.x = [0, 1];
    this.y = [0, 1];
  }

  /** Resize the backing store to the element's size; returns the 2-D context in CSS pixels. */
  begin() {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(200, this.canvas.clientWidth);
    const h = this.square ? w : Math.max(160, this.canvas.clientHeight);
    if (this.canvas.width !== Math.round(w * ratio) || this.canvas.height !== Math.round(h * ratio)) {
      this.canvas.width = Math.round(w * ratio);
      this.canvas.height = Math.round(h * ratio);
    }
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    this.box = { left: MARGIN.left, top: MARGIN.top, right: w - MARGIN.right, bottom: h - MARGIN.bottom };
    this.ctx = ctx;
    return ctx;
  }

  /** Data domains: `x` and `y` as [lo, hi]. */
  setDomain(x, y) {
    this.x = x;
    this.y = y;
  }

  px(v) { const b = this.box; return b.left + ((v - this.x[0]) / (this.x[1] - this.x[0])) * (b.right - b.left); }
  py(v) { const b = this.box; return b.bottom - ((v - this.y[0]) / (this.y[1] - this.y[0])) * (b.bottom - b.top); }

  /** Data coordinates of a mouse event, or null outside the plot area. */
  toData(event) {
    const r = this.canvas.getBoundingClientRect();
    const cx = event.clientX - r.left;
    const cy = event.clientY - r.top;
    const b = this.box;
    if (!b || cx < b.left || cx > b.right || cy < b.top || cy > b.bottom) return null;
    return [this.x[0] + ((cx - b.left) / (b.right - b.left)) * (this.x[1] - this.x[0]), this.y[0] + ((b.bottom - cy) / (b.bottom - b.top)) * (this.y[1] - this.y[0])];
  }

  /** Frame, ticks and axis names. */
  axes(xName, yName) {
    const { ctx, box: b } = this;
    ctx.strokeStyle = "#8b8f96";
    ctx.lineWidth = 1;
    ctx.strokeRect(b.left, b.top, b.right - b.left, b.bottom - b.top);
    ctx.fillStyle = "#15171a";
    ctx.font = FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of ticks(this.x[0], this.x[1])) ctx.fillText(label(v), this.px(v), b.bottom + 5);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks(this.y[0], this.y[1], 5)) ctx.fillText(label(v), b.left - 6, this.py(v));
    ctx.font = "700 16px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(xName, (b.left + b.right) / 2, b.bottom + 44);
    ctx.save();
    ctx.translate(16, (b.top + b.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(yName, 0, 0);
    ctx.restore();
  }

  /** A training point (filled circle, white ring) or a validation point (triangle, dark outline). */
  marker(x, y, rgb, kind) {
    const ctx = this.ctx;
    const cx = this.px(x);
    const cy = this.py(y);
    ctx.beginPath();
    if (kind === "val") {
      ctx.moveTo(cx, cy - 7.5);
      ctx.lineTo(cx + 7, cy + 5);
      ctx.lineTo(cx - 7, cy + 5);
      ctx.closePath();
      ctx.fillStyle = `rgb(${rgb})`;
      ctx.fill();
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 1.6;
      ctx.stroke();
    } else if (kind === "unknown") {
      ctx.arc(cx, cy, 9, 0, 2 * Math.PI);
      ctx.fillStyle = "#fff";
      ctx.fill();
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.fillStyle = "#111";
      ctx.font = "700 13px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("?", cx, cy + 0.5);
    } else {
      ctx.arc(cx, cy, 5, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${rgb})`;
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
  }
}
