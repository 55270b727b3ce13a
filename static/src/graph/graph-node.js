// One node of the graph view: its SVG markup and how its numbers and colours are refreshed.
import { svg } from "../common/dom.js";
import { NODE_H, NODE_W } from "./graph-layout.js";
import { diverging, flatten, fmt, fmtShape, magnitude, signColour, summary } from "../common/format.js";

/** Largest tensor drawn as a heatmap; bigger ones show a min/mean/max summary. */
const HEATMAP_MAX_CELLS = 128;
const ROW_VALUE_Y = 60;
const ROW_GRAD_Y = 86;


/** What the node shows big: its name, else its op symbol, else its constant value. */
export function nodeTitle(node) {
  if (node.name) return node.name;
  if (node.kind === "const") return typeof node.value === "number" ? fmt(node.value) : "const";
  return node.symbol || node.op || node.label;
}

/** SVG markup (`svg`…``) for one node box, its top-left corner at (x, y). */
export function nodeMarkup(node, x, y) {
  const isTensor = node.shape && node.shape.length > 0;
  const badge = [node.name && node.kind === "op" ? node.symbol || node.op : null, isTensor ? fmtShape(node.shape) : null]
    .filter(Boolean)
    .join("  ");
  const title = nodeTitle(node);
  // A long name gets the smaller title size (a class: the page's CSP allows no style attribute).
  const titleClass = title.length > 9 ? "title long" : "title";
  return svg`<g class="node kind-${node.kind}${isTensor ? " tensor" : ""}" data-id="${node.id}" transform="translate(${x.toFixed(1)},${y.toFixed(1)})">
<title>${node.label || title}</title>
<rect class="box" width="${NODE_W}" height="${NODE_H}" rx="12"/>
<text class="${titleClass}" x="14" y="31">${title}</text>
<text class="badge" x="${NODE_W - 12}" y="27" text-anchor="end">${badge}</text>
<text class="row-label" x="14" y="${ROW_VALUE_Y}">value</text>
<g class="heat heat-value" transform="translate(12,${ROW_VALUE_Y - 17})"></g>
<text class="num num-value" x="${NODE_W - 14}" y="${ROW_VALUE_Y}" text-anchor="end"></text>
<text class="row-label" x="14" y="${ROW_GRAD_Y}">grad</text>
<g class="heat heat-grad" transform="translate(12,${ROW_GRAD_Y - 17})"></g>
<text class="num num-grad" x="${NODE_W - 14}" y="${ROW_GRAD_Y}" text-anchor="end"></text>
</g>`;
}

/** Element references of a drawn node, for fast updates. */
export function nodeRefs(g) {
  return {
    g,
    box: g.querySelector(".box"),
    value: g.querySelector(".num-value"),
    grad: g.querySelector(".num-grad"),
    heatValue: g.querySelector(".heat-value"),
    heatGrad: g.querySelector(".heat-grad"),
    last: {},
  };
}

/**
 * Refresh a node's numbers: `value`/`grad` undefined means "not computed yet" (animation),
 * `partial` marks a gradient still being summed; `maxAbsGrad` scales the colours.
 */
export function paintNode(refs, { value, grad, partial, maxAbsGrad }) {
  const key = `${JSON.stringify(value)}|${JSON.stringify(grad)}|${partial}|${maxAbsGrad}`;
  if (refs.last.key === key) return;
  refs.last.key = key;
  writeNumber(refs.value, refs.heatValue, value, false);
  writeNumber(refs.grad, refs.heatGrad, grad, true, partial);
  const g = grad === undefined ? undefined : Array.isArray(grad) ? summary(grad).mean : grad;
  if (g === undefined || g === null || refs.g.classList.contains("kind-const")) {
    refs.box.style.fill = "";
    refs.box.style.stroke = "";
  } else {
    const t = Math.sign(g) * magnitude(g, maxAbsGrad);
    refs.box.style.fill = diverging(t * 0.32);
    refs.box.style.stroke = g === 0 ? "" : signColour(g);
  }
}

function writeNumber(text, heat, x, isGrad, partial = false) {
  heat.replaceChildren();
  text.classList.toggle("pending", x === undefined);
  text.classList.toggle("partial", !!partial);
  if (x === undefined) {
    text.textContent = "?";
    text.style.fill = "";
    return;
  }
  if (Array.isArray(x)) {
    const s = summary(x);
    if (s.count <= HEATMAP_MAX_CELLS) drawHeatmap(heat, x);
    text.textContent = `μ ${fmt(s.mean, 3)}`;
    text.classList.add("tensor-num");
    text.style.fill = isGrad ? signColour(s.mean) : "";
    return;
  }
  text.classList.remove("tensor-num");
  text.textContent = (partial ? "Σ " : "") + fmt(x);
  // Long numbers get a smaller font so they never run into the row's label.
  const n = text.textContent.length;
  text.style.fontSize = n <= 5 ? "" : n === 6 ? "18px" : n === 7 ? "16px" : "14px";
  text.style.fill = isGrad ? signColour(x) : "";
}

/** A tiny heatmap of a vector or matrix (diverging colours scaled by its largest entry). */
function drawHeatmap(group, value) {
  const rows = Array.isArray(value[0]) ? value : [value];
  const nRows = rows.length;
  const nCols = Math.max(...rows.map((r) => (Array.isArray(r) ? r.length : 1)));
  const maxAbs = Math.max(1e-12, ...flatten(value).filter(Number.isFinite).map(Math.abs));
  // Cells as large as fit in 58×22 px, at most twice as tall as wide.
  const cellW = Math.max(2, Math.min(12, Math.floor(Math.min(58 / nCols, 22 / nRows))));
  const cellH = Math.max(2, Math.min(2 * cellW, Math.floor(22 / nRows)));
  const ns = "http://www.w3.org/2000/svg";
  rows.forEach((row, i) => {
    (Array.isArray(row) ? flatten(row) : [row]).forEach((v, j) => {
      const r = document.createElementNS(ns, "rect");
      r.setAttribute("x", j * cellW);
      r.setAttribute("y", i * cellH);
      r.setAttribute("width", cellW);
      r.setAttribute("height", cellH);
      r.setAttribute("fill", diverging(v / maxAbs));
      group.appendChild(r);
    });
  });
}
