// The chain rule for the selected node, written out with the graph's numbers:
// ∂z/∂b = ∂z/∂d · ∂d/∂b = 2 · (−1) = −2.
import { h } from "../common/dom.js";
import { fmt, fmtFactor, fmtShape, summary } from "../common/format.js";
import { indexGraph, nodeName, partial } from "./graph-text.js";


export class ChainRulePanel {
  constructor(container) {
    this.container = container;
    container.classList.add("chain-rule");
  }

  /** `state.graph`, `state.selected` (node id or null), `state.rules` (op name → rule in words). */
  update({ graph, selected, rules = {} }) {
    if (!graph || !selected || !graph.nodes.some((n) => n.id === selected)) {
      this.container.replaceChildren(h("p", { className: "hint" }, "Click a node to see its gradient written out."));
      return;
    }
    const { byId, incoming, outgoing, output } = indexGraph(graph);
    const node = byId.get(selected);
    const lines = [];
    const head = h("p", { className: "chain-node" }, h("b", {}, nodeName(node)),
      node.kind === "op" && node.name ? ` = ${node.label}` : node.kind === "op" ? "" : ` (${node.kind})`,
      " · value ", h("b", {}, valueText(node.value)), " · grad ", h("b", {}, valueText(node.grad)));
    const reaches = new Set([output.id]);
    for (const n of [...graph.nodes].reverse()) {
      if (reaches.has(n.id)) for (const e of incoming.get(n.id)) reaches.add(e.source);
    }
    if (node.id === output.id) {
      lines.push(`${partial(output, node)} = 1${graph.seed === "sum" ? " for every element (the gradient of the sum)" : ""}  — the seed of the backward pass`);
    } else if (!reaches.has(node.id)) {
      lines.push(`${nodeName(output)} does not depend on ${nodeName(node)}: ${partial(output, node)} = 0`);
    } else {
      const uses = outgoing.get(node.id).filter((e) => reaches.has(e.target));
      const symbols = [];
      const numbers = [];
      let numeric = true;
      for (const e of uses) {
        const t = byId.get(e.target);
        if (t.id === output.id) {
          symbols.push(partial(t, node));
          numbers.push(fmtFactor(e.local_grad));
        } else {
          symbols.push(`${partial(output, t)} · ${partial(t, node)}`);
          numbers.push(`${fmtFactor(t.grad)} · ${fmtFactor(e.local_grad)}`);
        }
        if (typeof e.local_grad !== "number" || typeof t.grad !== "number") numeric = false;
      }
      if (numeric) {
        lines.push(`${partial(output, node)} = ${symbols.join(" + ")} = ${numbers.join(" + ")} = ${fmt(node.grad)}`);
        if (uses.length > 1) lines.push(`${nodeName(node)} is used ${uses.length} times: the contributions add up (fan-in).`);
      } else {
        lines.push(`${partial(output, node)} = ${symbols.join(" + ")}`);
        lines.push(`tensor gradient, shape ${fmtShape(node.shape)}: ${valueText(node.grad)}`);
      }
      for (const e of uses) {
        const t = byId.get(e.target);
        if (rules[t.op]) lines.push(`${nodeName(t)} = ${t.label}: ${rules[t.op]}`);
      }
    }
    this.container.replaceChildren(head, ...lines.map((l, i) => h("p", { className: i === 0 ? "chain-formula" : "chain-note" }, l)));
  }
}

function valueText(v) {
  if (!Array.isArray(v)) return fmt(v);
  const s = summary(v);
  return `min ${fmt(s.min, 3)}, mean ${fmt(s.mean, 3)}, max ${fmt(s.max, 3)}`;
}
