"""Shape checks before torch allocates anything: mismatched shapes get a sentence a student
understands at the operator's place in the program; oversized results a limit error."""

import math
from typing import Any

import torch

from app.errors import ErrorType, LimitError, error_at
from app.graph.limits import Limits
from app.graph.op_functions import broadcast
from app.graph.ops import OPS
from app.graph.program import Node

Tensor = torch.Tensor


def shape_of(t: Tensor) -> list[int]:
    """The shape as a student reads it: [] for a number, [3] for a vector."""
    return list(t.shape)


def node_position(source: str, node: Node) -> dict[str, Any]:
    """Line, column and span of `node` in the program, for errors that are not UserError(…)."""
    err = error_at(source, *node.span, "")
    return {"line": err.line, "column": err.column, "span": err.span}


def check_shapes(node: Node, args: list[Tensor], source: str, limits: Limits) -> None:
    """Refuse mismatched or oversized shapes before torch allocates anything."""
    op = OPS[node.op or ""]
    if op.elementwise and len(args) == 2:
        out = broadcast(tuple(args[0].shape), tuple(args[1].shape))
        if out is None:
            raise error_at(
                source,
                *node.span,
                f"the shapes {shape_of(args[0])} and {shape_of(args[1])} don't fit together "
                f"for '{op.symbol}': each dimension must be equal, or 1 in one of them.",
                ErrorType.SHAPE_ERROR,
            )
        numel = math.prod(out)
    elif op.shapes is not None:
        found = op.shapes(*args)
        if isinstance(found, str):
            raise error_at(source, *node.span, found, ErrorType.SHAPE_ERROR)
        numel = found
    else:
        return
    if numel > limits.max_tensor_elements:
        raise LimitError(
            f"'{node.label}' would have {numel} elements; the limit is "
            f"{limits.max_tensor_elements}",
            **node_position(source, node),
        )
