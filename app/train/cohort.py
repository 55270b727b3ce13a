"""Several runs of the same architecture, one update each, in one batched tensor program.

Each run keeps its own data, batch order, `torch.optim` optimizer and learning rate. Only the
forward and backward passes are shared: the runs' parameters are stacked (`torch.stack` copies,
so gradients flow back to each run's own tensors), the layers become batched matrix products,
and the sum of the runs' losses is differentiated, which gives each run exactly the gradient of
its own loss because no run's loss depends on another's parameters. On small models this costs
about as much as one run's pass, so many runs train for the price of a few.

Their optimizers step together too when they are of one kind with equal settings: the lists
of tensors of all of them go through one call of torch.optim's own functional update (the code
`Adam.step()` and `SGD.step()` run), which works tensor by tensor, so the numbers are the same.
"""

from collections.abc import Callable
from typing import Any

import torch
from torch.optim.adam import adam
from torch.optim.sgd import sgd

from app.train.trainer import StepOutcome, Trainer


def _adam_together(optimizers: list[Any]) -> None:
    params: list[torch.Tensor] = []
    grads: list[torch.Tensor] = []
    exp_avgs: list[torch.Tensor] = []
    exp_avg_sqs: list[torch.Tensor] = []
    max_exp_avg_sqs: list[torch.Tensor] = []
    steps: list[torch.Tensor] = []
    has_complex = False
    for opt in optimizers:
        for group in opt.param_groups:
            has_complex |= opt._init_group(
                group, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps
            )
    group = optimizers[0].param_groups[0]
    beta1, beta2 = group["betas"]
    adam(
        params,
        grads,
        exp_avgs,
        exp_avg_sqs,
        max_exp_avg_sqs,
        steps,
        amsgrad=group["amsgrad"],
        has_complex=has_complex,
        beta1=beta1,
        beta2=beta2,
        lr=group["lr"],
        weight_decay=group["weight_decay"],
        eps=group["eps"],
        maximize=group["maximize"],
        foreach=group["foreach"],
        capturable=group["capturable"],
        differentiable=group["differentiable"],
        fused=group["fused"],
        grad_scale=None,
        found_inf=None,
        decoupled_weight_decay=group["decoupled_weight_decay"],
    )


def _sgd_together(optimizers: list[Any]) -> None:
    params: list[torch.Tensor] = []
    grads: list[torch.Tensor] = []
    buffers: list[torch.Tensor | None] = []
    owners: list[Any] = []
    has_sparse = False
    for opt in optimizers:
        for group in opt.param_groups:
            before = len(params)
            has_sparse |= opt._init_group(group, params, grads, buffers)
            owners += [opt] * (len(params) - before)
    group = optimizers[0].param_groups[0]
    sgd(
        params,
        grads,
        buffers,
        weight_decay=group["weight_decay"],
        momentum=group["momentum"],
        lr=group["lr"],
        dampening=group["dampening"],
        nesterov=group["nesterov"],
        maximize=group["maximize"],
        has_sparse_grad=has_sparse,
        foreach=group["foreach"],
        fused=group["fused"],
        grad_scale=None,
        found_inf=None,
    )
    if group["momentum"] != 0:
        for opt, p, buffer in zip(owners, params, buffers, strict=True):
            opt.state[p]["momentum_buffer"] = buffer


# The optimizers whose updates can run as one call; the others step one by one.
TOGETHER: dict[type, Callable[[list[Any]], None]] = {
    torch.optim.Adam: _adam_together,
    torch.optim.SGD: _sgd_together,
}


def _settings(opt: torch.optim.Optimizer) -> object:
    key = (type(opt), *((k, v) for k, v in opt.param_groups[0].items() if k != "params"))
    try:
        hash(key)
    except TypeError:  # a list-valued setting
        return repr(key)
    return key


@torch.no_grad()
def step_optimizers(optimizers: list[torch.optim.Optimizer]) -> None:
    """`opt.step()` for each, as few calls as possible."""
    groups: dict[object, list[torch.optim.Optimizer]] = {}
    for opt in optimizers:
        together = type(opt) in TOGETHER and len(opt.param_groups) == 1
        groups.setdefault(_settings(opt) if together else id(opt), []).append(opt)
    for members in groups.values():
        if len(members) == 1:
            members[0].step()
        else:
            TOGETHER[type(members[0])](members)


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


def step_together(trainers: list[Trainer]) -> list[StepOutcome]:
    """One update of each trainer (in order); those with equal signatures and batch shapes share
    one batched pass, the others update alone."""
    if len(trainers) == 1:
        return [trainers[0].step()]
    drawn = [(t, *t.next_batch()) for t in trainers]
    groups: dict[object, list[int]] = {}
    for i, (t, x, y) in enumerate(drawn):
        key = (t.signature, tuple(x.shape), tuple(y.shape), y.dtype) if t.signature else i
        groups.setdefault(key, []).append(i)
    outcomes: list[StepOutcome | None] = [None] * len(trainers)
    for members in groups.values():
        if len(members) == 1:
            t, x, y = drawn[members[0]]
            outcomes[members[0]] = t.update_on(x, y)
            continue
        results = _together(
            [drawn[i][0] for i in members],
            [drawn[i][1] for i in members],
            [drawn[i][2] for i in members],
        )
        for i, outcome in zip(members, results, strict=True):
            outcomes[i] = outcome
    return [o for o in outcomes if o is not None]
