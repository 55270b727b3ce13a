// The reusable DAG widget: lays out a computation graph, draws it in SVG with every node's
// value and gradient and every edge's local derivative, with pan, zoom and selection.
// It knows nothing of the page: the Graph lab and the Training lab both feed it API graphs.
import { select } from "d3-selection";
import { zoom, zoomIdentity } from "d3-zoom";
import { html, render, svg } from "../common/dom.js";
import { fmt } from "../common/format.js";
import { layoutGraph, NODE_H, NODE_W, PROXY_H, PROXY_W } from "./graph-layout.js";
import { nodeMarkup, nodeRefs, paintNode } from "./graph-node.js";

/** Smallest zoom the first view uses: below it the numbers are unreadable on a projector. */
const MIN_READABLE_SCALE = 0.5;

export class GraphView {
  /** `onSelect(nodeId | null)` is called when a node (or the background) is clicked. */
  constructor(container, { onSelect = () => {} } = {}) {
    this.container = container;
    this.onSelect = onSelect;
    this.signature = null;
    /** Milliseconds the last full layout + draw took (read by the performance test). */
    this.lastDrawMs = null;
    container.classList.add("graph-view");
    render(container, html`<svg class="graph-svg" role="img" aria-label="computation graph">
<defs><marker id="gv-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="13" markerHeight="13" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#6b7280"/></marker></defs>
<g class="viewport"><g class="edges"></g><g class="nodes"></g><g class="edge-labels"></g></g></svg>
<div class="graph-tools"><button type="button" class="fit" title="Fit the whole graph">Fit</button><span class="legend"><i class="neg"></i>grad &lt; 0 <i class="pos"></i>grad &gt; 0</span></div>
<div class="graph-empty">Type a program to see its graph.</div>`);
    this.svg = container.querySelector("svg");
    this.viewport = this.svg.querySelector(".viewport");
    this.zoom = zoom().scaleExtent([0.02, 4]).on("zoom", (ev) => this.viewport.setAttribute("transform", ev.transform));
    select(this.svg).call(this.zoom).on("dblclick.zoom", null);
    container.querySelector(".fit").addEventListener("click", () => this.fit(true));
    this.svg.addEventListener("click", (ev) => {
      const g = ev.target.closest(".node, .proxy");
      this.onSelect(g ? g.dataset.id : null);
    });
  }

  /**
   * Draw `state.graph` ({nodes, edges, output}) and show its numbers. Optional keys:
   * `selected` (node id), `values`/`grads` (Map id → shown number, overriding the graph's;
   * a missing id shows "?"), `partial` (Set of ids whose gradient is still being summed),
   * `activeEdge` (edge index), `edgeNote` (text on the active edge), `showValues`/`showGrads`
   * (false hides them, for animations).
   */
  update(state) {
    const graph = state.graph;
    this.container.classList.toggle("empty", !graph || !graph.nodes.length);
    if (!graph || !graph.nodes.length) return;
    const signature = graph.nodes.map((n) => `${n.id}:${n.inputs.join(",")}:${(n.shape || []).join("x")}`).join(";");
    if (signature !== this.signature) {
      const t0 = performance.now();
      this.draw(graph);
      this.signature = signature;
      this.paint(state);
      this.lastDrawMs = performance.now() - t0;
      this.fit(false);
    } else {
      this.graph = graph;
      this.paint(state);
    }
  }

  draw(graph) {
    this.graph = graph;
    const { width, height, positions, proxies, paths } = layoutGraph(graph.nodes, graph.edges);
    this.size = { width, height };
    this.positions = positions;
    this.labelAt = paths.map((p) => p.label);
    const edges = [];
    const labels = [];
    graph.edges.forEach((e, i) => {
      edges.push(svg`<path class="edge" data-i="${i}" d="${paths[i].d}" marker-end="url(#gv-arrow)"/>`);
      labels.push(svg`<g class="edge-label" data-i="${i}" transform="translate(${paths[i].label.x.toFixed(1)},${paths[i].label.y.toFixed(1)})"><rect rx="8"/><text text-anchor="middle" y="6"></text></g>`);
    });
    const nodes = [];
    for (const n of graph.nodes) {
      const p = positions.get(n.id);
      nodes.push(nodeMarkup(n, p.x - NODE_W / 2, p.y - NODE_H / 2));
    }
    for (const p of proxies) {
      nodes.push(svg`<g class="proxy" data-id="${p.of}" transform="translate(${(p.x - PROXY_W / 2).toFixed(1)},${(p.y - PROXY_H / 2).toFixed(1)})"><rect class="box" width="${PROXY_W}" height="${PROXY_H}" rx="10"/><text x="10" y="30"></text></g>`);
    }
    render(this.viewport.querySelector(".edges"), svg`${edges}`);
    render(this.viewport.querySelector(".edge-labels"), svg`${labels}`);
    render(this.viewport.querySelector(".nodes"), svg`${nodes}`);
    this.nodeRefs = new Map();
    for (const g of this.viewport.querySelectorAll(".node")) this.nodeRefs.set(g.dataset.id, nodeRefs(g));
    this.proxyEls = [...this.viewport.querySelectorAll(".proxy")].map((g) => ({ g, text: g.querySelector("text"), last: null }));
    this.edgeEls = [...this.viewport.querySelectorAll(".edge")];
    this.labelEls = [...this.viewport.querySelectorAll(".edge-label")].map((g) => ({ g, rect: g.firstChild, text: g.lastChild, last: null }));
  }

  paint(state) {
    const graph = this.graph;
    this.nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
    let maxAbsGrad = 0;
    for (const n of graph.nodes) {
      for (const g of Array.isArray(n.grad) ? n.grad.flat(Infinity) : [n.grad]) {
        if (Number.isFinite(g) && Math.abs(g) > maxAbsGrad) maxAbsGrad = Math.abs(g);
      }
    }
    for (const n of graph.nodes) {
      const refs = this.nodeRefs.get(n.id);
      const value = state.values ? state.values.get(n.id) : n.value;
      const grad = state.grads ? state.grads.get(n.id) : n.grad;
      paintNode(refs, { value, grad, partial: state.partial?.has(n.id), maxAbsGrad });
      refs.g.classList.toggle("selected", state.selected === n.id);
      refs.g.classList.toggle("output", graph.output === n.id || graph.output === n.name);
      refs.g.classList.toggle("active", state.activeNode === n.id);
    }
    for (const p of this.proxyEls) {
      // A proxy repeats its source's name and value where it is used.
      const value = state.values ? state.values.get(p.g.dataset.id) : this.nodeById.get(p.g.dataset.id)?.value;
      const text = `${p.g.dataset.id} ${typeof value === "number" ? fmt(value, 3) : ""}`;
      if (p.last !== text) p.text.textContent = p.last = text;
      p.g.classList.toggle("selected", state.selected === p.g.dataset.id);
    }
    graph.edges.forEach((e, i) => {
      const active = state.activeEdge === i;
      this.edgeEls[i].classList.toggle("active", active);
      const text = active && state.edgeNote ? state.edgeNote : e.local_grad === null || e.local_grad === undefined ? "" : `∂ ${fmt(e.local_grad, 3)}`;
      this.setLabel(this.labelEls[i], text, active);
      const target = this.positions.get(e.target);
      const at = active && state.edgeNote ? { x: target.x, y: target.y - NODE_H / 2 - 17 } : this.labelAt[i];
      if (this.labelEls[i].at !== at) {
        this.labelEls[i].at = at;
        this.labelEls[i].g.setAttribute("transform", `translate(${at.x.toFixed(1)},${at.y.toFixed(1)})`);
      }
    });
  }

  setLabel(label, text, active) {
    label.g.classList.toggle("active", active);
    label.g.style.display = text ? "" : "none";
    if (label.last === text) return;
    label.last = text;
    label.text.textContent = text;
    // Estimated width (no layout reads while drawing): tabular digits ~0.62em at 15px.
    const w = Math.max(28, text.length * (active ? 10.4 : 9.2) + 16);
    label.rect.setAttribute("x", -w / 2);
    label.rect.setAttribute("y", -13);
    label.rect.setAttribute("width", w);
    label.rect.setAttribute("height", 26);
  }

  /** Zoom to show the whole graph; a huge graph is shown readable, its output end in view. */
  fit(animate) {
    if (!this.size) return;
    const box = this.svg.getBoundingClientRect();
    const W = box.width || 800;
    const H = box.height || 600;
    const pad = 40;
    let k = Math.min(1.6, (W - pad) / this.size.width, (H - pad) / this.size.height);
    let tx = (W - this.size.width * k) / 2;
    let ty = (H - this.size.height * k) / 2;
    if (!animate && k < MIN_READABLE_SCALE) {
      k = MIN_READABLE_SCALE;
      const out = this.positions.get(this.graph.output) || [...this.positions.values()].at(-1);
      tx = W - pad / 2 - (out.x + NODE_W / 2) * k;
      ty = H / 2 - out.y * k;
    }
    const t = zoomIdentity.translate(tx, ty).scale(k);
    select(this.svg).call(this.zoom.transform, t);
  }

  /** Centre a node in the view without changing the zoom. */
  focus(id) {
    const p = this.positions?.get(id);
    if (!p) return;
    const box = this.svg.getBoundingClientRect();
    select(this.svg).call(this.zoom.translateTo, p.x, p.y, [box.width / 2, box.height / 2]);
  }
}
