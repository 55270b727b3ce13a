"""One optimizer update for many runs at once, through torch.optim's own internals.

Runs whose optimizers are of one kind with equal settings can step in one call: the lists of
tensors of all of them (gathered by each optimizer's `_init_group`, as its `step()` does) go
through torch.optim's functional `adam` / `sgd`, the code `Adam.step()` and `SGD.step()` run,
which works tensor by tensor, so the numbers are the same as stepping each optimizer.

`_init_group` and the functional kernels are private to torch and may change in any release, so
this module is their only user and checks them at import: the signatures we call and a tiny real
update compared with `opt.step()`. A kind that fails the check is left out of `FUSED`, and its
runs step one by one with their own `opt.step()` (`CHECKS` says why).
"""

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import torch

Kernel = Callable[..., None]


def _kernel(module: str, name: str) -> Kernel | None:
    try:
        found: Kernel = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return found


ADAM = _kernel("torch.optim.adam", "adam")
SGD = _kernel("torch.optim.sgd", "sgd")


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
    assert ADAM is not None
    ADAM(
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
    assert SGD is not None
    SGD(
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


# What each kind's step needs from torch: the arguments of `_init_group` (after self and group),
# the keywords we pass its kernel, settings for the trial update and how the runs step together.
KINDS: dict[
    type[torch.optim.Optimizer], tuple[list[str], Kernel | None, dict[str, Any], Kernel]
] = {
    torch.optim.Adam: (
        ["params_with_grad", "grads", "exp_avgs", "exp_avg_sqs", "max_exp_avg_sqs", "state_steps"],
        ADAM,
        {"lr": 0.1},
        _adam_together,
    ),
    torch.optim.SGD: (
        ["params", "grads", "momentum_buffer_list"],
        SGD,
        {"lr": 0.1, "momentum": 0.9},
        _sgd_together,
    ),
}
KERNEL_KEYWORDS = {
    torch.optim.Adam: {"amsgrad", "has_complex", "beta1", "beta2", "lr", "weight_decay", "eps"}
    | {"maximize", "foreach", "capturable", "differentiable", "fused", "grad_scale", "found_inf"}
    | {"decoupled_weight_decay"},
    torch.optim.SGD: {"weight_decay", "momentum", "lr", "dampening", "nesterov", "maximize"}
    | {"has_sparse_grad", "foreach", "fused", "grad_scale", "found_inf"},
}


def _trial_runs(cls: type[torch.optim.Optimizer], settings: dict[str, Any]) -> list[Any]:
    """Two runs' optimizers over fixed tensors with fixed gradients (foreach, as runs build)."""
    optimizers = []
    for run in range(2):
        weight = torch.linspace(-1, 1, 6).reshape(3, 2).add(run).requires_grad_()
        bias = torch.linspace(0, 1, 3).sub(run).requires_grad_()
        weight.grad, bias.grad = torch.cos(weight.detach()), torch.sin(bias.detach() * 3)
        optimizers.append(cls([weight, bias], **settings, foreach=True))  # type: ignore[call-arg]
    return optimizers


def check_fused(cls: type[torch.optim.Optimizer]) -> str | None:
    """Why `cls` cannot step runs together on this torch (None: it can, numbers checked)."""
    arguments, kernel, settings, together = KINDS[cls]
    if kernel is None:
        return f"torch {torch.__version__} has no functional kernel for {cls.__name__}"
    init_group = getattr(cls, "_init_group", None)
    if init_group is None:
        return f"torch {torch.__version__}: {cls.__name__} has no _init_group"
    try:
        names = list(inspect.signature(init_group).parameters)
        kernel_names = set(inspect.signature(kernel).parameters)
    except (TypeError, ValueError) as exc:
        return f"{cls.__name__}: signatures unreadable ({exc})"
    if names[2:] != arguments:
        return f"{cls.__name__}._init_group takes {names}, not self, group, {arguments}"
    if missing := KERNEL_KEYWORDS[cls] - kernel_names:
        return f"the {cls.__name__} kernel lacks {sorted(missing)}"
    fused, alone = _trial_runs(cls, settings), _trial_runs(cls, settings)
    try:
        with torch.no_grad():
            for _ in range(2):  # the second step reads the state the first one left
                together(fused)
                for opt in alone:
                    opt.step()
    except Exception as exc:  # any failure of the private API means: don't use it
        return f"a trial {cls.__name__} step failed: {exc!r}"
    for f, a in zip(fused, alone, strict=True):
        for pf, pa in zip(f.param_groups[0]["params"], a.param_groups[0]["params"], strict=True):
            state_f, state_a = f.state[pf], a.state[pa]
            same_state = state_f.keys() == state_a.keys() and all(
                torch.equal(state_f[k], state_a[k]) for k in state_a
            )
            if not torch.equal(pf, pa) or not same_state:
                return f"a trial {cls.__name__} step differs from opt.step()"
    return None


CHECKS: dict[str, str | None] = {cls.__name__: check_fused(cls) for cls in KINDS}
# The kinds whose runs step in one call on this torch.
FUSED: dict[type, Kernel] = {
    cls: kind[3] for cls, kind in KINDS.items() if CHECKS[cls.__name__] is None
}


def _settings(opt: torch.optim.Optimizer) -> object:
    key = (type(opt), *((k, v) for k, v in opt.param_groups[0].items() if k != "params"))
    try:
        hash(key)
    except TypeError:  # a list-valued setting
        return repr(key)
    return key


@torch.no_grad()
def step_optimizers(optimizers: list[torch.optim.Optimizer], *, fused: bool = True) -> None:
    """`opt.step()` for each, in as few calls as possible (`fused=False`: one call each)."""
    groups: dict[object, list[torch.optim.Optimizer]] = {}
    for opt in optimizers:
        together = fused and type(opt) in FUSED and len(opt.param_groups) == 1
        groups.setdefault(_settings(opt) if together else id(opt), []).append(opt)
    for members in groups.values():
        if len(members) == 1:
            members[0].step()
        else:
            FUSED[type(members[0])](members)
