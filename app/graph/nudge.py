"""The nudge experiment: change one input by ε and compare the output's actual change with
the change its gradient predicts (gradient · ε)."""

import math
from typing import Any

import torch

from app.errors import ErrorType, UserError
from app.graph.forward import Clock, forward
from app.graph.inputs import DType
from app.graph.limits import Limits
from app.graph.program import Program
from app.graph.shapes import shape_of

Tensor = torch.Tensor


def nudge(
    program: Program,
    inputs: dict[str, Tensor],
    vals: dict[str, Tensor],
    grads: dict[str, Tensor],
    output_id: str,
    dtype: DType,
    limits: Limits,
    *,
    clock: Clock,
    input: str,
    epsilon: float,
    index: list[int] | None = None,
) -> dict[str, Any]:
    """Change one input by ε and compare the actual change of the output with grad · ε.

    The answer holds plain numbers: the output's sum before and after, both changes."""
    if input not in inputs:
        raise UserError(
            f"can't nudge {input}: the program has no input of that name.", ErrorType.UNKNOWN_VALUE
        )
    if not math.isfinite(epsilon):
        raise UserError("the nudge ε must be a finite number.", ErrorType.INVALID_VALUE)
    base = inputs[input].detach()
    step = torch.zeros_like(base)
    try:
        if index is None:
            step += epsilon
        else:
            step[tuple(index)] = epsilon
    except (IndexError, TypeError, RuntimeError, ValueError, OverflowError):
        raise UserError(
            f"index {index} is outside {input}, whose shape is {shape_of(base)}.",
            ErrorType.INVALID_VALUE,
        ) from None
    moved = {k: v.detach() for k, v in inputs.items()}
    moved[input] = base + step
    with torch.no_grad():
        after = forward(
            program, moved, dtype=dtype, limits=limits, clock=clock, consts_require_grad=False
        )
    before_value = float(vals[output_id].detach().sum())
    after_value = float(after[output_id].sum())
    predicted = float((grads[input] * step).sum())
    return {
        "input": input,
        "epsilon": epsilon,
        "index": index,
        "output_before": before_value,
        "output_after": after_value,
        "actual_change": after_value - before_value,
        "predicted_change": predicted,
    }
