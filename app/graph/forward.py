"""The forward pass: every node's value in forward (topological) order, held to the limits.

The shapes, elements and memory were inferred and checked before (app/graph/cost.py); the
forward pass checks the clock between ops and, as a backstop, each result's size."""

import time
from dataclasses import dataclass, field

import torch

from app.errors import ErrorType, LimitError, error_at
from app.graph.inputs import DTYPES, DType
from app.graph.limits import Limits
from app.graph.ops import OPS
from app.graph.program import Program
from app.graph.shapes import node_position

Tensor = torch.Tensor


@dataclass
class Clock:
    """Wall time since the evaluation started, against its limit."""

    limit: float  # seconds
    start: float = field(default_factory=time.perf_counter)  # time.perf_counter() at the start

    what: str = "the evaluation"  # what the limit is of, for the message
    grace: float = 0.0  # seconds past the limit before `check` raises

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start

    def check(self) -> None:
        """Raise a LimitError once the evaluation has taken longer than its limit."""
        if time.perf_counter() - self.start > self.limit + self.grace:
            raise LimitError(f"{self.what} took longer than {self.limit:g} s")


def forward(
    program: Program,
    inputs: dict[str, Tensor],
    *,
    dtype: DType,
    limits: Limits,
    clock: Clock | None = None,
    consts_require_grad: bool = True,
) -> dict[str, Tensor]:
    """Compute every node's value in forward order."""
    clock = clock or Clock(limits.max_seconds)
    torch_dtype = DTYPES[dtype]
    values: dict[str, Tensor] = {}
    held = 0  # elements over all values so far: what the evaluation holds in memory
    for node in program.nodes:
        if node.kind == "input":
            values[node.id] = inputs[node.id]
        elif node.kind == "const":
            values[node.id] = torch.tensor(
                node.const, dtype=torch_dtype, requires_grad=consts_require_grad
            )
        else:
            args = [values[i] for i in node.inputs]
            try:
                out = OPS[node.op or ""].fn(*args, *node.static_args)
            except (RuntimeError, ValueError, IndexError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise error_at(
                    program.source,
                    *node.span,
                    f"{node.label} can't be computed: {first}",
                    ErrorType.VALUE_ERROR,
                ) from None
            if out.numel() > limits.max_tensor_elements:
                raise LimitError(
                    f"'{node.label}' has {out.numel()} elements; the limit is "
                    f"{limits.max_tensor_elements}",
                    **node_position(program.source, node),
                )
            values[node.id] = out
            held += out.numel()
            if held > limits.max_graph_elements:
                raise LimitError(
                    f"the values up to '{node.label}' hold {held} elements; the limit for one "
                    f"evaluation is {limits.max_graph_elements}",
                    **node_position(program.source, node),
                )
            clock.check()
    return values
