// The forward and backward animation frames (static/src/graph/animator-frames.js) of
// z = 2*d + c with d = a - b, at a = 3, b = 1, c = 0.5: values and gradients by hand
// (∂z/∂d = 2, ∂z/∂a = 2, ∂z/∂b = −2, ∂z/∂c = 1).
import assert from "node:assert/strict";
import { test } from "node:test";
import { backwardFrames, forwardFrames } from "../../static/src/graph/animator-frames.js";

const node = (id, kind, extra) => ({ id, kind, name: kind === "input" ? null : null, label: id, inputs: [], shape: [], ...extra });
const GRAPH = {
  output: "z",
  seed: "scalar",
  nodes: [
    node("a", "input", { value: 3, grad: 2 }),
    node("b", "input", { value: 1, grad: -2 }),
    node("d", "op", { name: "d", op: "sub", label: "a − b", inputs: ["a", "b"], value: 2, grad: 2 }),
    node("k", "const", { value: 2, grad: 2, label: "2" }),
    node("m", "op", { op: "mul", label: "2·d", inputs: ["k", "d"], value: 4, grad: 1 }),
    node("c", "input", { value: 0.5, grad: 1 }),
    node("z", "op", { name: "z", op: "add", label: "2·d + c", inputs: ["m", "c"], value: 4.5, grad: 1 }),
  ],
  edges: [
    { source: "a", target: "d", argument: 0, local_grad: 1, contribution: 2 },
    { source: "b", target: "d", argument: 1, local_grad: -1, contribution: -2 },
    { source: "k", target: "m", argument: 0, local_grad: 2, contribution: 2 },
    { source: "d", target: "m", argument: 1, local_grad: 2, contribution: 2 },
    { source: "m", target: "z", argument: 0, local_grad: 1, contribution: 1 },
    { source: "c", target: "z", argument: 1, local_grad: 1, contribution: 1 },
  ],
};

test("forward: one frame per node, in order, each showing the values so far", () => {
  const frames = forwardFrames(GRAPH);
  assert.deepEqual(frames.map((f) => f.activeNode), ["a", "b", "d", "k", "m", "c", "z"]);
  assert.deepEqual([...frames[2].values], [["a", 3], ["b", 1], ["d", 2]]);
  assert.equal(frames.at(-1).values.get("z"), 4.5);
  assert.match(frames[2].caption, /^forward: d = a − b = 2$/);
  assert.deepEqual(forwardFrames(null), []);
});

test("backward: the seed, then one frame per edge from the output back", () => {
  const frames = backwardFrames(GRAPH);
  assert.equal(frames.length, 1 + GRAPH.edges.length);
  assert.match(frames[0].caption, /seed ∂z\/∂z = 1$/);
  assert.deepEqual(frames.slice(1).map((f) => GRAPH.edges[f.activeEdge].source), ["m", "c", "k", "d", "a", "b"]);
  const last = frames.at(-1).grads;
  for (const [id, grad] of [["z", 1], ["m", 1], ["c", 1], ["d", 2], ["a", 2], ["b", -2]]) assert.equal(last.get(id), grad, id);
  const dFrame = frames.find((f) => f.activeNode === "d");
  assert.equal(dFrame.edgeNote, "2 × 1 = 2");
});

test("backward: a node used twice sums its contributions (fan-in)", () => {
  const graph = {
    output: "y", seed: "scalar",
    nodes: [node("x", "input", { value: 3, grad: 6 }), node("y", "op", { name: "y", op: "mul", label: "x·x", inputs: ["x", "x"], value: 9, grad: 1 })],
    edges: [
      { source: "x", target: "y", argument: 0, local_grad: 3, contribution: 3 },
      { source: "x", target: "y", argument: 1, local_grad: 3, contribution: 3 },
    ],
  };
  const frames = backwardFrames(graph);
  assert.equal(frames[1].grads.get("x"), 3);
  assert.ok(frames[1].partial.has("x"));
  assert.equal(frames[2].grads.get("x"), 6);
  assert.ok(!frames[2].partial.has("x"));
  assert.match(frames[2].caption, /fan-in: ∂y\/∂x = 3 \+ 3 = 6$/);
});
