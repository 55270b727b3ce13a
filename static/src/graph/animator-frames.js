// The frames of the forward and backward pass animations, built from an API graph. Pure: no DOM.
// A frame is {values, grads (Map id → number), partial (Set of ids being summed), activeNode,
// activeEdge, edgeNote, caption}.
import { fmt, fmtFactor } from "../common/format.js";
import { indexGraph, nodeName, partial } from "./graph-text.js";

/** One frame per node in topological order: its value appears. */
export function forwardFrames(graph) {
  if (!graph) return [];
  const values = new Map();
  return graph.nodes.map((n) => {
    values.set(n.id, n.value);
    const what = n.kind === "input" ? "input" : n.kind === "const" ? "constant" : `${n.label} =`;
    return {
      values: new Map(values),
      grads: new Map(),
      activeNode: n.id,
      caption: `forward: ${nodeName(n)} ${n.kind === "op" ? "= " + n.label + " = " : "(" + what + ") = "}${valueText(n.value)}`,
    };
  });
}

/** The seed, then one frame per edge from the output back: local × upstream = contribution. */
export function backwardFrames(graph) {
  if (!graph) return [];
  const { byId, incoming, outgoing, output } = indexGraph(graph);
  const values = new Map(graph.nodes.map((n) => [n.id, n.value]));
  const grads = new Map([[output.id, output.grad]]);
  const sums = new Map(); // id → contributions received so far
  const partialIds = new Set();
  const frames = [
    {
      values,
      grads: new Map(grads),
      partial: new Set(),
      activeNode: output.id,
      caption: `backward: seed ${partial(output, output)} = ${graph.seed === "sum" ? "1 for every element (gradient of the sum)" : "1"}`,
    },
  ];
  // Nodes the output depends on: only their edges carry gradient.
  const reaches = new Set([output.id]);
  for (const n of [...graph.nodes].reverse()) {
    if (reaches.has(n.id)) for (const e of incoming.get(n.id)) reaches.add(e.source);
  }
  const order = [...graph.nodes].reverse();
  for (const target of order) {
    if (!reaches.has(target.id)) continue;
    for (const e of incoming.get(target.id)) {
      const source = byId.get(e.source);
      const got = sums.get(source.id) || [];
      got.push(e.contribution);
      sums.set(source.id, got);
      const done = got.length >= outgoing.get(source.id).filter((o) => reaches.has(o.target)).length;
      let edgeNote = null;
      let caption;
      if (e.local_grad !== null && e.local_grad !== undefined && typeof target.grad === "number") {
        edgeNote = `${fmtFactor(e.local_grad)} × ${fmtFactor(target.grad)} = ${fmt(e.contribution)}`;
        caption = `${partial(target, source)} × ${partial(output, target)} = ${edgeNote}`;
      } else {
        caption = `${nodeName(source)} ← ${nodeName(target)}: tensor gradient (shapes ${shapeText(source)} ← ${shapeText(target)})`;
      }
      if (done) {
        grads.set(source.id, source.grad);
        partialIds.delete(source.id);
        if (got.length > 1 && got.every((c) => typeof c === "number")) {
          caption += `; fan-in: ${partial(output, source)} = ${got.map((c) => fmt(c)).join(" + ").replace(/\+ −/g, "− ")} = ${fmt(source.grad)}`;
        }
      } else {
        const numeric = got.every((c) => typeof c === "number");
        grads.set(source.id, numeric ? got.reduce((a, b) => a + b, 0) : undefined);
        partialIds.add(source.id);
      }
      frames.push({
        values,
        grads: new Map(grads),
        partial: new Set(partialIds),
        activeEdge: e.index,
        activeNode: source.id,
        edgeNote,
        caption: `backward: ${caption}`,
      });
    }
  }
  return frames;
}

const shapeText = (n) => (n.shape?.length ? n.shape.join("×") : "scalar");
const valueText = (v) => (Array.isArray(v) ? "tensor" : fmt(v));
