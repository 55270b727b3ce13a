// The loss landscape of a two-parameter model (w, b): a heatmap of log(loss) with contour
// lines, and the path gradient descent has taken so far, ending at the current (w, b).
// A frame carries the path and the surface's `version`; the surface itself (the loss grid) is
// contoured once per version: taken from the frame while frames still carry `loss`, else
// fetched once (GET /api/v1/runs/{id}/landscape).
import { contours } from "d3-contour";
import { h } from "../common/dom.js";
import { PlotCanvas, tint } from "./plot-canvas.js";

const LEVELS = 14; // contour lines
const LOW = [255, 247, 214];
const HIGH = [76, 29, 149];

/** Which surface a frame's landscape shows: its box and version (a new run has a new box, so
 * its version 1 is not taken for the previous run's). */
export function surfaceKey(landscape) {
  const box = `box ${landscape.w}|${landscape.b}|${landscape.resolution}`;
  return Number.isInteger(landscape.version) ? `v${landscape.version} ${box}` : box;
}

export class LandscapeView {
  /** `fetchSurface()` answers the current surface `{version, w, b, resolution, loss}`. */
  constructor(container, { fetchSurface = null } = {}) {
    container.classList.add("landscape-view");
    container.replaceChildren(h("div", { className: "chart-head" }, h("h2", {}, "Loss landscape over (w, b)"),
      h("span", { className: "key" }, "light = low loss (log scale) · ", h("b", { className: "path-key" }, "—"), " descent path")));
    this.plot = new PlotCanvas(container, { square: false });
    this.cells = document.createElement("canvas");
    this.fetchSurface = fetchSurface;
    this.surface = null; // {key, n, lines} of the contoured surface
    this.wanted = null; // the key being fetched
    this.contourCount = 0; // surfaces contoured so far (read by the tests)
  }

  /** `state.landscape` ({version, w, b, resolution, path, loss?}) and `state.params` ({w, b}). */
  update({ landscape, params }) {
    if (!landscape) return;
    this.last = { landscape, params };
    const key = surfaceKey(landscape);
    if (this.surface?.key !== key) {
      if (landscape.loss) this.prepare(key, landscape);
      else this.request(key);
    }
    if (this.surface?.key !== key) return; // the surface is on its way
    this.draw(landscape, params);
  }

  async request(key) {
    if (!this.fetchSurface || this.wanted === key) return;
    this.wanted = key;
    let surface;
    try {
      surface = await this.fetchSurface();
    } catch {
      this.wanted = null; // the next frame asks again
      return;
    }
    if (this.wanted !== key) return;
    this.wanted = null;
    this.prepare(key, surface);
    if (this.last) this.draw(this.last.landscape, this.last.params);
  }

  draw(landscape, params) {
    this.plot.setDomain(landscape.w, landscape.b);
    const ctx = this.plot.begin();
    const b = this.plot.box;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.cells, b.left, b.top, b.right - b.left, b.bottom - b.top);
    this.drawContours(ctx);
    this.plot.axes("w", "b");
    this.drawPath(ctx, landscape.path, params);
    this.plot.canvas.dataset.pathLength = String(landscape.path.length);
    this.plot.canvas.dataset.contours = String(this.contourCount);
  }

  /** Colours and contour lines of a new surface (they stay while only the path grows). */
  prepare(key, landscape) {
    this.contourCount++;
    const n = landscape.resolution;
    const logs = landscape.loss.flat().map((v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : NaN));
    const finite = logs.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    this.cells.width = n;
    this.cells.height = n;
    const cctx = this.cells.getContext("2d");
    const image = cctx.createImageData(n, n);
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        const t = (logs[row * n + col] - lo) / (hi - lo || 1);
        const rgb = Number.isFinite(t) ? LOW.map((c, i) => Math.round(c + (HIGH[i] - c) * t)) : tint([0, 0, 0], 0.4);
        image.data.set([rgb[0], rgb[1], rgb[2], 255], ((n - 1 - row) * n + col) * 4);
      }
    }
    cctx.putImageData(image, 0, 0);
    const thresholds = Array.from({ length: LEVELS }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / LEVELS);
    const values = logs.map((v) => (Number.isFinite(v) ? v : hi));
    this.surface = { key, n, lines: contours().size([n, n]).thresholds(thresholds)(values) };
  }

  drawContours(ctx) {
    const { n, lines } = this.surface;
    const w = this.plot.x;
    const b = this.plot.y;
    // Contour coordinates are in grid cells (column, row) with row 0 = the lowest b.
    const toX = (c) => this.plot.px(w[0] + ((c - 0.5) / (n - 1)) * (w[1] - w[0]));
    const toY = (r) => this.plot.py(b[0] + ((r - 0.5) / (n - 1)) * (b[1] - b[0]));
    ctx.save();
    const box = this.plot.box;
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
    ctx.clip();
    ctx.strokeStyle = "rgba(255,255,255,0.75)";
    ctx.lineWidth = 1.2;
    for (const level of lines) {
      ctx.beginPath();
      for (const polygon of level.coordinates) {
        for (const ring of polygon) {
          ring.forEach(([c, r], i) => (i ? ctx.lineTo(toX(c), toY(r)) : ctx.moveTo(toX(c), toY(r))));
        }
      }
      ctx.stroke();
    }
    ctx.restore();
  }

  drawPath(ctx, path, params) {
    if (!path?.length) return;
    const box = this.plot.box;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
    ctx.clip();
    const clamp = (v) => Math.max(-1e5, Math.min(1e5, v));
    ctx.beginPath();
    path.forEach(([w, b], i) => (i ? ctx.lineTo(clamp(this.plot.px(w)), clamp(this.plot.py(b))) : ctx.moveTo(this.plot.px(w), this.plot.py(b))));
    ctx.strokeStyle = "#e11d48";
    ctx.lineWidth = 3;
    ctx.stroke();
    const [w0, b0] = path[0];
    ctx.fillStyle = "#111";
    ctx.beginPath();
    ctx.arc(this.plot.px(w0), this.plot.py(b0), 5, 0, 2 * Math.PI);
    ctx.fill();
    const end = params ? [params.w, params.b] : path.at(-1);
    ctx.fillStyle = "#e11d48";
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(clamp(this.plot.px(end[0])), clamp(this.plot.py(end[1])), 7, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }
}
