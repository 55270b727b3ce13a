// The network as a diagram: one column of units per layer, one line per weight. A line's
// colour is the sign (blue positive, orange negative) and its thickness the magnitude, of the
// weight or, on the toggle, of its gradient.
import { html, render } from "../common/dom.js";

const SVG = "http://www.w3.org/2000/svg";
const MAX_UNITS = 24; // units drawn per layer; the rest is summarised as "+ n more"
const POS = "#0877bd";
const NEG = "#e87912";
const MAX_WIDTH = 7; // pixels of the strongest line

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export class NetworkView {
  constructor(container) {
    container.classList.add("network-view");
    render(container, html`<div class="chart-head"><h2>Network</h2>
<span class="key"><i class="pos"></i>positive <i class="neg"></i>negative · thickness = size</span>
<label class="check"><input type="checkbox" class="show-grads" aria-label="show gradients"> gradients</label></div>
<p class="net-note hint"></p>`);
    // Colours from script, not a style attribute (the page's CSP allows no inline style).
    container.querySelector(".key .pos").style.background = POS;
    container.querySelector(".key .neg").style.background = NEG;
    this.svg = el("svg", { class: "net-svg", role: "img", "aria-label": "network diagram" });
    container.append(this.svg);
    this.note = container.querySelector(".net-note");
    this.toggle = container.querySelector(".show-grads");
    this.toggle.addEventListener("change", () => this.state && this.update(this.state));
    this.signature = "";
  }

  /** `state.layers` (frame layers) and `state.features` (the input labels, as shown). */
  update(state) {
    this.state = state;
    const { layers, features } = state;
    if (!layers?.length) return;
    const sizes = [layers[0].inputs, ...layers.map((l) => l.units)];
    const signature = `${sizes.join("-")}|${features?.join()}|${layers.map((l) => l.activation).join()}`;
    if (signature !== this.signature) this.build(sizes, layers, features || []);
    this.signature = signature;
    this.paint(layers, this.toggle.checked);
  }

  build(sizes, layers, features) {
    const width = 560;
    const height = 270;
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.replaceChildren();
    const left = 80;
    const right = width - 90; // room for "output · log_softmax"
    const top = 34;
    const bottom = height - 16;
    const colX = (i) => left + ((right - left) * i) / (sizes.length - 1);
    this.positions = sizes.map((n, i) => {
      const shown = Math.min(n, MAX_UNITS);
      const gap = Math.min(44, (bottom - top) / Math.max(shown, 1));
      const mid = (top + bottom) / 2;
      return Array.from({ length: shown }, (_, j) => [colX(i), mid + (j - (shown - 1) / 2) * gap]);
    });
    const edges = el("g", { class: "edges" });
    const units = el("g", { class: "units" });
    this.lines = layers.map((layer, l) => {
      const lines = [];
      this.positions[l + 1].forEach(([x2, y2], o) => {
        lines[o] = this.positions[l].map(([x1, y1]) => {
          const line = el("line", { x1, y1, x2, y2, class: "weight" });
          edges.append(line);
          return line;
        });
      });
      return lines;
    });
    const radius = Math.min(13, 140 / Math.max(...sizes.map((n) => Math.min(n, MAX_UNITS))));
    this.circles = [];
    sizes.forEach((n, i) => {
      const group = el("g", { class: `layer ${i === 0 ? "input" : i === sizes.length - 1 ? "output" : "hidden"}`, "data-units": n });
      const name = i === 0 ? "inputs" : i === sizes.length - 1 ? `output · ${layers[i - 1].activation}` : `${n} · ${layers[i - 1].activation}`;
      group.append(el("text", { x: colX(i), y: 16, class: "layer-name" }, name));
      this.circles[i] = this.positions[i].map(([x, y], j) => {
        const circle = el("circle", { cx: x, cy: y, r: radius, class: "unit" });
        group.append(circle);
        if (i === 0 && features[j]) group.append(el("text", { x: x - radius - 6, y: y + 5, class: "feature" }, features[j]));
        return circle;
      });
      if (n > MAX_UNITS) group.append(el("text", { x: colX(i), y: bottom + 12, class: "more" }, `+ ${n - MAX_UNITS} more`));
      units.append(group);
    });
    this.svg.append(edges, units);
  }

  paint(layers, grads) {
    const key = grads ? "weight_grad" : "weight";
    const matrices = layers.map((l) => l[key]);
    const missing = matrices.some((m) => !m);
    this.note.textContent = missing
      ? grads && layers.every((l) => l.weight) ? "Gradients appear after the first update." : "The model is too large to send every weight; the lines are not coloured."
      : "";
    let maxAbs = 0;
    for (const m of matrices) for (const row of m || []) for (const v of row) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
    layers.forEach((layer, l) => {
      const m = matrices[l];
      this.lines[l].forEach((row, o) => row.forEach((line, i) => {
        const v = m?.[o]?.[i];
        if (v === undefined || !Number.isFinite(v) || !maxAbs) {
          line.setAttribute("stroke", "#c9c6bd");
          line.setAttribute("stroke-width", "1");
          return;
        }
        line.setAttribute("stroke", v >= 0 ? POS : NEG);
        line.setAttribute("stroke-width", (0.4 + (MAX_WIDTH * Math.abs(v)) / maxAbs).toFixed(2));
      }));
      const bias = grads ? layer.bias_grad : layer.bias;
      const bMax = Math.max(1e-12, ...(bias || []).map((v) => Math.abs(v)).filter(Number.isFinite));
      this.circles[l + 1].forEach((circle, o) => {
        const v = bias?.[o];
        const a = Number.isFinite(v) ? Math.min(1, Math.abs(v) / bMax) : 0;
        circle.setAttribute("fill", v >= 0 ? `rgba(8,119,189,${0.15 + 0.6 * a})` : `rgba(232,121,18,${0.15 + 0.6 * a})`);
      });
    });
  }
}
