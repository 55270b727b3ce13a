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
const LAYER_GAP = 66;
/** Gap between nodes of the same layer. */
const ROW_GAP = 34;

// Fast operators: longest-path layering pulled towards the output (constants sit next to
// their use), greedy median two-layer decrossing and greedy coordinates. Optimal decrossing
// and simplex coordinates are quadratic programs, too slow for a 300-node graph.
const layout = sugiyama()
  .layering(layeringLongestPath().topDown(false))
  .decross(decrossTwoLayer().passes(4))
  .coord(coordGreedy())
  .nodeSize([NODE_H, NODE_W])
  .gap([ROW_GAP, LAYER_GAP]);

const stratify = graphStratify()
  .id((d) => d.id)
  .parentIds((d) => [...new Set(d.inputs)]);

/**
 * Lay out API nodes ({id, inputs}) and edges ({source, target}).
 * Returns {width, height, positions: Map id → {x, y} (box centre), paths: [svg path per edge]}.
 */
export function layoutGraph(nodes, edges) {
  const dag = stratify(nodes.map((n) => ({ id: n.id, inputs: n.inputs })));
  const { width, height } = layout(dag);
  const positions = new Map();
  // d3-dag lays layers top to bottom; swap axes so values flow left to right.
  for (const node of dag.nodes()) positions.set(node.data.id, { x: node.y, y: node.x });
  const routes = new Map();
  for (const link of dag.links()) {
    routes.set(`${link.source.data.id}\u0000${link.target.data.id}`, link.points.map(([a, b]) => [b, a]));
  }
  const seen = new Map();
  const multiplicity = new Map();
  for (const e of edges) {
    const key = `${e.source}\u0000${e.target}`;
    multiplicity.set(key, (multiplicity.get(key) || 0) + 1);
  }
  const paths = edges.map((e) => {
    const key = `${e.source}\u0000${e.target}`;
    const k = seen.get(key) || 0;
    seen.set(key, k + 1);
    const count = multiplicity.get(key);
    const offset = count > 1 ? (k - (count - 1) / 2) * 22 : 0; // x*x: two separate edges
    const pts = (routes.get(key) || [
      [positions.get(e.source).x, positions.get(e.source).y],
      [positions.get(e.target).x, positions.get(e.target).y],
    ]).map((p) => [...p]);
    pts[0] = [pts[0][0] + NODE_W / 2, pts[0][1] + offset];
    const last = pts.length - 1;
    pts[last] = [pts[last][0] - NODE_W / 2 - 6, pts[last][1] + offset];
    return { d: smoothPath(pts), label: labelPoint(pts) };
  });
  return { width: height, height: width, positions, paths };
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
