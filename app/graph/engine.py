"""One evaluation of a program with PyTorch autograd: the inputs (app/graph/inputs.py), the
forward pass (forward.py), the backward pass and the edges (backward.py) and the optional nudge
(nudge.py), put together. Tensor → JSON conversion is not here: see encode.py."""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import torch

from app.graph.backward import (
    Edge,
    Flows,
    backward_by_engine,
    backward_node_by_node,
    bare_edges,
    edges,
    maps_directly,
)
from app.graph.cost import Cost, infer_cost
from app.graph.forward import Clock, forward
from app.graph.inputs import DType, Value, make_inputs, resolve_output, value_shapes
from app.graph.limits import Limits
from app.graph.nudge import nudge as nudge_experiment
from app.graph.program import Program

Tensor = torch.Tensor

__all__ = ["DType", "Edge", "Evaluation", "evaluate"]


@dataclass
class Evaluation:
    """The result of a forward and a backward pass."""

    program: Program
    output: str  # the output's node id
    dtype: DType
    seed: Literal["scalar", "sum"]  # "sum": the output is a tensor, its gradient seeded with ones
    values: dict[str, Tensor]  # node id → value
    grads: dict[str, Tensor]  # node id → ∂output/∂node (of the output's sum)
    edges: list[Edge]
    cost: Cost  # shapes, memory, work and answer size, inferred before it ran
    clock: Clock  # the evaluation's wall time against its limit (encoding checks it too)
    nudge: dict[str, Any] | None = None
    seconds: float = 0.0  # wall time of forward + backward


def evaluate(
    program: Program,
    values: Mapping[str, Value],
    *,
    output: str | None = None,
    dtype: DType = "float32",
    limits: Limits,
    nudge: dict[str, Any] | None = None,
    with_edges: bool = True,
    clock: Clock | None = None,
) -> Evaluation:
    """Forward + backward: every node's value and gradient, every edge's contribution.

    The whole program's shapes and cost are inferred first, so a program over a limit is
    refused before anything is allocated; the clock (started by the caller, or now) is
    checked between ops of the forward pass, the backward pass and the edges.
    Without `with_edges`, edges carry no local derivative or contribution (a big graph's
    values and gradients come faster)."""
    clock = clock or Clock(limits.max_seconds)
    output_id = resolve_output(program, output)
    shapes = value_shapes(program, values, limits)
    cost = infer_cost(program, shapes, dtype=dtype, limits=limits)
    inputs = make_inputs(program, values, shapes, dtype=dtype, limits=limits)
    with torch.enable_grad():
        for t in inputs.values():
            t.requires_grad_(True)
        vals = forward(program, inputs, dtype=dtype, limits=limits, clock=clock)
        out = vals[output_id]
        seed: Literal["scalar", "sum"] = "scalar" if out.numel() == 1 else "sum"

        # With edges, backpropagate op by op: each op's backward function hands over its
        # edges' contributions on the way. Without, autograd's engine does it in one call.
        sent: Flows = {}
        if with_edges and maps_directly(program, vals):
            grads = backward_node_by_node(program, vals, output_id, sent, clock)
        else:
            grads = backward_by_engine(program, vals, out, clock)
        clock.check()
        found = edges(program, vals, grads, sent, clock) if with_edges else bare_edges(program)
    seconds = time.perf_counter() - clock.start
    result = Evaluation(
        program, output_id, dtype, seed, vals, grads, found, cost, clock, seconds=seconds
    )
    if nudge is not None:
        result.nudge = nudge_experiment(
            program, inputs, vals, grads, output_id, dtype, limits, clock=clock, **nudge
        )
    return result
