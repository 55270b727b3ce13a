"""Optimizers: one table from the public name to a `torch.optim` class and its hyperparameters.

The request shape is the one of POST /api/v1/graphs/optimize: `{"name": "adam", "lr": 0.03, ...}`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch

from app.graph.errors import GraphError


@dataclass(frozen=True)
class OptimizerSpec:
    """A `torch.optim` class, the settings a request may give (with defaults), fixed ones."""

    cls: type[torch.optim.Optimizer]
    hyper: dict[str, Any]  # name → default; `lr` is always allowed
    fixed: dict[str, Any]
    doc: str


DEFAULT_LR = 0.01

OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec(
        torch.optim.SGD,
        {"momentum": 0.0, "weight_decay": 0.0},
        {},
        "θ ← θ − lr·∇L (plain gradient descent on each batch)",
    ),
    "momentum": OptimizerSpec(
        torch.optim.SGD,
        {"momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0},
        {},
        "SGD with a velocity: v ← μ·v + ∇L, θ ← θ − lr·v",
    ),
    "nesterov": OptimizerSpec(
        torch.optim.SGD,
        {"momentum": 0.9, "weight_decay": 0.0},
        {"nesterov": True},
        "SGD with Nesterov momentum (looks ahead along the velocity)",
    ),
    "rmsprop": OptimizerSpec(
        torch.optim.RMSprop,
        {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "weight_decay": 0.0},
        {},
        "divides each step by a running RMS of recent gradients",
    ),
    "adagrad": OptimizerSpec(
        torch.optim.Adagrad,
        {"lr_decay": 0.0, "eps": 1e-10, "weight_decay": 0.0},
        {},
        "divides each step by the root of the sum of all past squared gradients",
    ),
    "adam": OptimizerSpec(
        torch.optim.Adam,
        {"betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
        {},
        "momentum and RMS scaling with bias correction",
    ),
}


def optimizer_kwargs(config: dict[str, Any]) -> tuple[OptimizerSpec, dict[str, Any]]:
    """The spec and the full keyword arguments for `config`, each value checked."""
    name = config.get("name", "sgd")
    spec = OPTIMIZERS.get(name)
    if spec is None:
        raise GraphError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}", "optimizer_error"
        )
    unknown = set(config) - {"name", "lr", *spec.hyper}
    if unknown:
        raise GraphError(
            f"optimizer {name!r} has no setting {', '.join(sorted(unknown))} "
            f"(settings: lr, {', '.join(spec.hyper)})",
            "optimizer_error",
        )
    lr = config.get("lr", DEFAULT_LR)
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not lr > 0 or lr > 1e6:
        raise GraphError("lr must be a positive number (at most 1e6)", "optimizer_error")
    kwargs: dict[str, Any] = {"lr": float(lr)}
    for key, default in spec.hyper.items():
        value = config.get(key, default)
        if key == "betas":
            value = tuple(float(b) for b in value)
            if len(value) != 2 or not all(0 <= b < 1 for b in value):
                raise GraphError("betas are two numbers in [0, 1)", "optimizer_error")
        elif isinstance(default, bool):
            value = bool(value)
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise GraphError(f"{key} must be a number ≥ 0", "optimizer_error")
        kwargs[key] = value
    return spec, {**kwargs, **spec.fixed}


def build_optimizer(
    params: Iterable[torch.nn.Parameter], config: dict[str, Any]
) -> torch.optim.Optimizer:
    """The `torch.optim` optimizer named in `config` over `params`."""
    spec, kwargs = optimizer_kwargs(config)
    try:
        # foreach: one fused call per update instead of one per tensor (faster on small nets).
        return spec.cls(params, **kwargs, foreach=True)  # type: ignore[call-arg]
    except ValueError as exc:  # torch's own checks, e.g. nesterov needs momentum > 0
        raise GraphError(f"optimizer {config.get('name')!r}: {exc}", "optimizer_error") from exc


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Change the learning rate of a running optimizer (takes effect at the next step)."""
    for group in optimizer.param_groups:
        group["lr"] = lr
