// How nodes and derivatives are written in words and symbols (shared by the animator and the
// chain-rule panel).

/** A node as written in a formula: its name, else its source label in parentheses. */
export function nodeName(node) {
  if (node.name) return node.name;
  const label = node.label || node.id;
  return /^[\w.]+$/.test(label) ? label : `(${label})`;
}

/** ∂y/∂x written with the nodes' names. */
export function partial(y, x) {
  return `∂${nodeName(y)}/∂${nodeName(x)}`;
}

/** Index the graph: node by id, incoming and outgoing edges (with their index) per node. */
export function indexGraph(graph) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = new Map(graph.nodes.map((n) => [n.id, []]));
  const outgoing = new Map(graph.nodes.map((n) => [n.id, []]));
  graph.edges.forEach((e, i) => {
    incoming.get(e.target)?.push({ ...e, index: i });
    outgoing.get(e.source)?.push({ ...e, index: i });
  });
  const output = byId.get(graph.output) || graph.nodes.find((n) => n.name === graph.output) || graph.nodes.at(-1);
  return { byId, incoming, outgoing, output };
}
