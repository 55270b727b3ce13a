// Layered layout of a computation graph with d3-dag's Sugiyama operator, flowing left to right.
import {
  coordGreedy,
  decrossTwoLayer,
  graphStratify,
  layeringLongestPath,
  sugiyama,
} from "d3-dag";

/** Node box size in screen pixels (width along the flow, height across it). */
export const NODE_W = 150;
export const NODE_H = 92;
/** Gap between layers: room for an edge and its local-derivative label. */
const LAYER_GAP = 80;
/** Gap between nodes of the same layer. */
const ROW_GAP = 34;

// Fast operators: longest-path layering pulled towards the output (constants sit next to
// their use), greedy median two-layer decrossing and greedy coordinates. Optimal decrossing
// and simplex coordinates are quadratic programs, too slow for a 300-node graph.
const layout = sugiyama()
  .layering(layeringLongestPath().topDown(false))
  .decross(decrossTwoLayer().passes(4))
  .coord(coordGreedy())
  .gap([ROW_GAP, LAYER_GAP]);

const stratify = graphStratify()
  .id((d) => d.id)
  .parentIds((d) => [...new Set(d.inputs)]);

/** A source (input or constant) used this often is drawn again, as a small proxy, at each use
 * after the first: its long edges would otherwise cross the whole graph (and cost the layout
 * thousands of dummy nodes). */
const HUB_USES = 4;
/** Proxy box size in screen pixels. */
export const PROXY_W = 86;
export const PROXY_H = 48;

/**
 * Lay out API nodes ({id, inputs}) and edges ({source, target}).
 * Returns {width, height, positions: Map id → {x, y} (box centre), proxies: [{id, of, x, y}],
 * paths: [{d, label: {x, y}} per edge]}.
 */
export function layoutGraph(nodes, edges) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const uses = new Map();
  for (const e of edges) uses.set(e.source, (uses.get(e.source) || 0) + 1);
  const isHub = (id) => byId.get(id).inputs.length === 0 && uses.get(id) >= HUB_USES;
  const parents = new Map(nodes.map((n) => [n.id, new Set()]));
  const firstUse = new Set();
  const proxyOf = new Map(); // proxy id → source id
  const edgeSource = edges.map((e, i) => {
    if (isHub(e.source) && firstUse.has(e.source)) {
      const id = `\u0001proxy${i}`;
      proxyOf.set(id, e.source);
      parents.set(id, new Set());
      parents.get(e.target).add(id);
      return id;
    }
    firstUse.add(e.source);
    parents.get(e.target).add(e.source);
    return e.source;
  });
  const rows = [...parents].map(([id, ps]) => ({ id, inputs: [...ps] }));
  const dag = stratify(rows);
  const size = (id) => (proxyOf.has(id) ? [PROXY_W, PROXY_H] : [NODE_W, NODE_H]);
  // d3-dag sizes are [across the layer, along the flow]: swapped, like the coordinates.
  const { width, height } = layout.nodeSize((node) => [size(node.data.id)[1], size(node.data.id)[0]])(dag);
  const positions = new Map();
  const proxies = [];
  // d3-dag lays layers top to bottom; swap axes so values flow left to right.
  for (const node of dag.nodes()) {
    const id = node.data.id;
    if (proxyOf.has(id)) proxies.push({ id, of: proxyOf.get(id), x: node.y, y: node.x });
    positions.set(id, { x: node.y, y: node.x });
  }
  const routes = new Map();
  for (const link of dag.links()) {
    routes.set(`${link.source.data.id}\u0000${link.target.data.id}`, link.points.map(([a, b]) => [b, a]));
  }
  const seen = new Map();
  const multiplicity = new Map();
  edgeSource.forEach((source, i) => {
    const key = `${source}\u0000${edges[i].target}`;
    multiplicity.set(key, (multiplicity.get(key) || 0) + 1);
  });
  const paths = edges.map((e, i) => {
    const source = edgeSource[i];
    const key = `${source}\u0000${e.target}`;
    const k = seen.get(key) || 0;
    seen.set(key, k + 1);
    const count = multiplicity.get(key);
    const offset = count > 1 ? (k - (count - 1) / 2) * 22 : 0; // x*x: two separate edges
    const a = positions.get(source);
    const b = positions.get(e.target);
    const pts = (routes.get(key) || [[a.x, a.y], [b.x, b.y]]).map((p) => [...p]);
    pts[0] = [pts[0][0] + size(source)[0] / 2, pts[0][1] + offset];
    const last = pts.length - 1;
    pts[last] = [pts[last][0] - NODE_W / 2 - 6, pts[last][1] + offset];
    return { d: smoothPath(pts), label: labelPoint(pts) };
  });
  separateLabels(paths.map((p) => p.label));
  return { width: height, height: width, positions, proxies, paths };
}

/** Push apart edge labels that would overlap (same column, closer than a label's height). */
function separateLabels(labels) {
  const LABEL_H = 28;
  const LABEL_W = 70;
  const sorted = [...labels].sort((a, b) => a.x - b.x || a.y - b.y);
  const columns = [];
  for (const l of sorted) {
    const col = columns.find((c) => Math.abs(c.x - l.x) < LABEL_W);
    if (col) col.items.push(l);
    else columns.push({ x: l.x, items: [l] });
  }
  for (const { items } of columns) {
    items.sort((a, b) => a.y - b.y);
    for (let i = 1; i < items.length; i++) {
      if (items[i].y - items[i - 1].y < LABEL_H) items[i].y = items[i - 1].y + LABEL_H;
    }
  }
}

/** A smooth left-to-right curve through the route's points (horizontal tangents). */
function smoothPath(pts) {
  let d = `M${pts[0][0].toFixed(1)},${pts[0][1].toFixed(1)}`;
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1];
    const [x1, y1] = pts[i];
    const mx = (x0 + x1) / 2;
    d += `C${mx.toFixed(1)},${y0.toFixed(1)} ${mx.toFixed(1)},${y1.toFixed(1)} ${x1.toFixed(1)},${y1.toFixed(1)}`;
  }
  return d;
}

/** Where an edge's label goes: the middle of its last segment, next to the target. */
function labelPoint(pts) {
  const [x0, y0] = pts[pts.length - 2];
  const [x1, y1] = pts[pts.length - 1];
  return { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
}
