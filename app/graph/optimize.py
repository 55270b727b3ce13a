"""Gradient descent on a program: exactly the textbook PyTorch loop, step for step."""

import math
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from app.errors import ErrorType, UserError
from app.graph.forward import forward
from app.graph.inputs import DType, prepare_inputs, resolve_output
from app.graph.limits import Limits
from app.graph.optimizers import make_optimizer
from app.graph.program import Program


@dataclass
class DescentResult:
    """What a run of gradient descent did."""

    status: Literal["finished", "diverged", "stopped"]
    steps_run: int  # updates applied
    loss: float  # the objective after the last update
    params: dict[str, torch.Tensor]  # the parameters after the last update
    # step, loss (before that step's update), grad_norm and, while small, params (tensors)
    history: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None


def _snapshot(params: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {name: t.detach().clone() for name, t in params.items()}


def optimize(
    program: Program,
    values: dict[str, Any],
    *,
    params: list[str],
    objective: str | None,
    steps: int,
    record_every: int,
    optimizer: dict[str, Any],
    dtype: DType = "float32",
    limits: Limits,
    max_history_param_elements: int = 100,
) -> DescentResult:
    """Minimise `objective` over the input tensors named in `params`."""
    objective_id = resolve_output(program, objective)
    if not params:
        raise UserError("choose at least one parameter to optimize.", ErrorType.INVALID_PARAMS)
    for name in params:
        if name not in program.inputs:
            why = "it is computed by the program" if name in program.names else "no such input"
            raise UserError(f"{name} can't be a parameter: {why}.", ErrorType.INVALID_PARAMS)
    inputs = prepare_inputs(program, values, dtype=dtype, limits=limits)
    learn = {name: inputs[name].requires_grad_(True) for name in dict.fromkeys(params)}
    opt = make_optimizer(
        str(optimizer.get("name")),
        learn.values(),
        {k: v for k, v in optimizer.items() if k != "name"},
    )
    keep_params = sum(t.numel() for t in learn.values()) <= max_history_param_elements
    start = time.perf_counter()

    def objective_value() -> torch.Tensor:
        out = forward(program, inputs, dtype=dtype, limits=limits, consts_require_grad=False)
        value = out[objective_id]
        if value.numel() != 1:
            raise UserError(
                f"the objective {objective or objective_id} has shape {list(value.shape)}; it "
                "must be one number: wrap it in mean(…) or sum(…).",
                ErrorType.INVALID_OBJECTIVE,
            )
        return value.reshape(())

    history: list[dict[str, Any]] = []
    status: Literal["finished", "diverged", "stopped"] = "finished"
    reason = None
    steps_run = 0
    for step in range(1, steps + 1):
        opt.zero_grad()
        loss = objective_value()
        loss_value = loss.item()
        finite = math.isfinite(loss_value)
        if not loss.requires_grad:
            raise UserError(
                f"the objective {objective or objective_id} does not depend on "
                f"{', '.join(learn)}, so gradient descent can't move "
                f"{'it' if len(learn) == 1 else 'them'}.",
                ErrorType.INVALID_PARAMS,
            )
        if finite:
            loss.backward()
        grad_norm = (
            math.sqrt(sum(float(t.grad.pow(2).sum()) for t in learn.values() if t.grad is not None))
            if finite
            else math.nan
        )
        # The last step is recorded whether it ends the run, its divergence or the clock.
        out_of_time = time.perf_counter() - start > limits.max_seconds
        last = step == steps or not finite or out_of_time
        if step == 1 or step % record_every == 0 or last:
            entry: dict[str, Any] = {"step": step, "loss": loss_value, "grad_norm": grad_norm}
            if keep_params:
                entry["params"] = _snapshot(learn)
            history.append(entry)
        if not finite:
            status, reason = "diverged", f"the objective became {loss_value} at step {step}"
            break
        try:
            opt.step()
        except (RuntimeError, ValueError, OverflowError) as exc:
            raise UserError(
                f"the optimizer can't take a step with these settings: {str(exc).splitlines()[0]}",
                ErrorType.INVALID_OPTIMIZER,
            ) from None
        steps_run = step
        if out_of_time and step < steps:
            status = "stopped"
            reason = f"the time limit of {limits.max_seconds:g} s was reached after {step} steps"
            break
    with torch.no_grad():
        final = objective_value().item() if status != "diverged" else loss_value
    return DescentResult(status, steps_run, final, _snapshot(learn), history, reason)
