"""Several runs of the same architecture, one update each, in one batched tensor program.

Each run keeps its own data, batch order, `torch.optim` optimizer and learning rate. Only the
forward and backward passes are shared: the runs' parameters are stacked (`torch.stack` copies,
so gradients flow back to each run's own tensors), the layers become batched matrix products,
and the sum of the runs' losses is differentiated, which gives each run exactly the gradient of
its own loss because no run's loss depends on another's parameters. On small models this costs
about as much as one run's pass, so many runs train for the price of a few.

Their optimizers step together too when they are of one kind with equal settings
(`app.train.fused_optim`, the one user of torch.optim's internals; each run's own `opt.step()`
when this torch fails its check), with the same numbers as stepping each alone.
"""

import torch

from app.train.fused_optim import step_optimizers
from app.train.trainer import StepOutcome, Trainer


def _batched_output(name: str, z: torch.Tensor, trainer: Trainer) -> torch.Tensor:
    # Softmax-like outputs work along the classes, the last axis of [runs, rows, classes].
    if name == "softmax":
        return torch.softmax(z, -1)
    if name == "log_softmax":
        return torch.log_softmax(z, -1)
    return trainer.model.output(z)  # elementwise: none, sigmoid, tanh


def _per_run_losses(trainer: Trainer, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[runs] mean loss of each run's batch (the same reduction as the loss's default mean)."""
    runs, rows = out.shape[0], out.shape[1]
    if y.dtype == torch.long:  # class indices: the loss wants [rows, classes]
        flat = trainer.loss_fn(out.reshape(runs * rows, -1), y.reshape(-1), reduction="none")
        return flat.reshape(runs, rows).mean(1)
    return trainer.loss_fn(out, y, reduction="none").reshape(runs, -1).mean(1)


def _together(
    trainers: list[Trainer], xs: list[torch.Tensor], ys: list[torch.Tensor]
) -> list[StepOutcome]:
    first = trainers[0]
    h = torch.stack(xs)  # [runs, rows, inputs]
    layers = len(first.model.layers)
    for k in range(layers):
        weight = torch.stack([t.model.linears[k].weight for t in trainers])  # [runs, out, in]
        bias = torch.stack([t.model.linears[k].bias for t in trainers])  # [runs, out]
        h = torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))
        if k < layers - 1:
            h = first.model.activations[k](h)
    out = _batched_output(first.model.output_name, h, first)
    losses = _per_run_losses(first, out, torch.stack(ys))
    objective = losses.sum()
    for t in trainers:
        if t.reg_rate:
            objective = objective + t.penalty()
        for p in t.parameters:  # optimizer.zero_grad(), without its per-call overhead
            p.grad = None
    objective.backward()
    checked = [t.before_update(v) for t, v in zip(trainers, losses.tolist(), strict=True)]
    step_optimizers(
        [t.optimizer for t, (_, reason) in zip(trainers, checked, strict=True) if not reason]
    )
    return [
        StepOutcome(record, diverged=reason) if reason else t.after_update(record)
        for t, (record, reason) in zip(trainers, checked, strict=True)
    ]


def step_together(trainers: list[Trainer]) -> list[StepOutcome | Exception]:
    """One update of each trainer (in order); those with equal signatures and batch shapes share
    one batched pass, the others update alone. A group whose update raises gets the exception
    as each member's outcome; the other groups' updates stand."""
    if len(trainers) == 1:
        return [trainers[0].step()]
    drawn = [(t, *t.next_batch()) for t in trainers]
    groups: dict[object, list[int]] = {}
    for i, (t, x, y) in enumerate(drawn):
        key = (t.signature, tuple(x.shape), tuple(y.shape), y.dtype) if t.signature else i
        groups.setdefault(key, []).append(i)
    outcomes: list[StepOutcome | Exception | None] = [None] * len(trainers)
    for members in groups.values():
        try:
            if len(members) == 1:
                t, x, y = drawn[members[0]]
                results: list[StepOutcome | Exception] = [t.update_on(x, y)]
            else:
                results = list(
                    _together(
                        [drawn[i][0] for i in members],
                        [drawn[i][1] for i in members],
                        [drawn[i][2] for i in members],
                    )
                )
        except Exception as exc:  # this group only: the worker retries its members alone
            results = [exc] * len(members)
        for i, outcome in zip(members, results, strict=True):
            outcomes[i] = outcome
    return [o for o in outcomes if o is not None]
