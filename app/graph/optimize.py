"""Gradient descent on a program: exactly the textbook PyTorch loop, step for step."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from app.errors import ErrorType, LimitError, UserError
from app.graph.backward import clocked_backward
from app.graph.cost import infer_cost
from app.graph.forward import Clock, forward
from app.graph.inputs import DType, Value, make_inputs, resolve_output, value_shapes
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
    values: Mapping[str, Value],
    *,
    params: list[str],
    objective: str | None,
    steps: int,
    record_every: int,
    optimizer: dict[str, Any],
    dtype: DType = "float32",
    limits: Limits,
    max_history_param_elements: int = 100,
    clock: Clock | None = None,
) -> DescentResult:
    """Minimise `objective` over the input tensors named in `params`.

    Every step costs the same, so the program's cost is inferred once, before the first step.
    The clock is checked between ops, in backward and between steps: a step that would end
    past the limit is not started (the run answers `stopped` with the objective after the last
    update, which the step's forward pass has already computed), and a step that overruns it
    by more than STEP_GRACE (one step took far longer than the ones before) is a LimitError."""
    clock = clock or Clock(limits.max_seconds, what="the gradient descent")
    objective_id = resolve_output(program, objective)
    if not params:
        raise UserError("choose at least one parameter to optimize.", ErrorType.INVALID_PARAMS)
    for name in params:
        if name not in program.inputs:
            why = "it is computed by the program" if name in program.names else "no such input"
            raise UserError(f"{name} can't be a parameter: {why}.", ErrorType.INVALID_PARAMS)
    shapes = value_shapes(program, values, limits)
    infer_cost(program, shapes, dtype=dtype, limits=limits, count_answer=False)
    learned = dict.fromkeys(params)
    answer = _answer_numbers([shapes[name] for name in learned], steps, record_every)
    keep_params = answer.per_entry <= max_history_param_elements
    if answer.total(keep_params) > limits.max_answer_numbers:
        raise LimitError(
            f"the answer would carry {answer.total(keep_params)} numbers (the parameters and "
            f"their history); the limit is {limits.max_answer_numbers}"
        )
    inputs = make_inputs(program, values, shapes, dtype=dtype, limits=limits)
    learn = {name: inputs[name].requires_grad_(True) for name in learned}
    opt = make_optimizer(
        str(optimizer.get("name")),
        learn.values(),
        {k: v for k, v in optimizer.items() if k != "name"},
    )
    # The hard clock allows a little past the limit: the boundary check below stops on time,
    # this one only a step far slower than the ones before it.
    hard = Clock(clock.limit, clock.start, what=clock.what, grace=STEP_GRACE)

    def objective_value() -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        out = forward(
            program, inputs, dtype=dtype, limits=limits, clock=hard, consts_require_grad=False
        )
        value = out[objective_id]
        if value.numel() != 1:
            raise UserError(
                f"the objective {objective or objective_id} has shape {list(value.shape)}; it "
                "must be one number: wrap it in mean(…) or sum(…).",
                ErrorType.INVALID_OBJECTIVE,
            )
        return value.reshape(()), out

    history: list[dict[str, Any]] = []
    status: Literal["finished", "diverged", "stopped"] = "finished"
    reason = None
    steps_run = 0
    # The textbook loop, zero_grad → forward → backward → step, with each forward pass also
    # giving the objective after the update before it (so the last one needs no extra pass).
    loss, vals = objective_value()
    if not loss.requires_grad:
        raise UserError(
            f"the objective {objective or objective_id} does not depend on "
            f"{', '.join(learn)}, so gradient descent can't move "
            f"{'it' if len(learn) == 1 else 'them'}.",
            ErrorType.INVALID_PARAMS,
        )
    loss_value = loss.item()
    longest_step = 0.0  # seconds of the slowest step so far: what the next one may take
    for step in range(1, steps + 1):
        step_start = clock.elapsed()
        if not math.isfinite(loss_value):
            history.append({"step": step, "loss": loss_value, "grad_norm": math.nan})
            if keep_params:
                history[-1]["params"] = _snapshot(learn)
            status, reason = "diverged", f"the objective became {loss_value} at step {step}"
            break
        opt.zero_grad()
        with clocked_backward(program, vals, hard):
            loss.backward()
        grad_norm = math.sqrt(
            sum(float(t.grad.pow(2).sum()) for t in learn.values() if t.grad is not None)
        )
        entry: dict[str, Any] = {"step": step, "loss": loss_value, "grad_norm": grad_norm}
        if keep_params:
            entry["params"] = _snapshot(learn)
        try:
            opt.step()
        except (RuntimeError, ValueError, OverflowError) as exc:
            raise UserError(
                f"the optimizer can't take a step with these settings: {str(exc).splitlines()[0]}",
                ErrorType.INVALID_OPTIMIZER,
            ) from None
        steps_run = step
        loss, vals = objective_value()
        loss_value = loss.item()
        longest_step = max(longest_step, clock.elapsed() - step_start)
        # The last step is recorded whether it ends the run or the clock ends it.
        out_of_time = step < steps and clock.elapsed() + longest_step > clock.limit
        if step == 1 or step % record_every == 0 or step == steps or out_of_time:
            history.append(entry)
        if out_of_time:
            status = "stopped"
            reason = f"the time limit of {clock.limit:g} s was reached after {step} steps"
            break
    return DescentResult(status, steps_run, loss_value, _snapshot(learn), history, reason)


STEP_GRACE = 0.5  # seconds a step may run past the limit before it is cut off


@dataclass(frozen=True)
class _AnswerSize:
    """Numbers of an optimize answer: the final parameters and, while small, their history."""

    per_entry: int  # parameter elements (the final params; each history entry's params)
    entries: int  # history entries at most

    def total(self, with_params: bool) -> int:
        """Numbers the answer carries: the final parameters and each entry's three numbers."""
        return self.per_entry + self.entries * (3 + (self.per_entry if with_params else 0))


def _answer_numbers(shapes: list[tuple[int, ...]], steps: int, record_every: int) -> _AnswerSize:
    return _AnswerSize(sum(math.prod(s) for s in shapes), steps // record_every + 2)
