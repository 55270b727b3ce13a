"""Optimizers of a run: the graph lab's table (app.graph.optimizers.OPTIMIZERS), so a run and
POST /api/v1/graphs/optimize accept the same names and the same `{"name", "lr", ...}` shape
(one schema family for both: app/api/schemas/optimizers.py)."""

from collections.abc import Iterable
from typing import Any

import torch

from app.errors import ErrorType, UserError
from app.graph.optimizers import (
    DEFAULT_LR,
    MAX_LR,
    OPTIMIZERS,
    optimizer_settings,
    settings_problem,
)

__all__ = ["DEFAULT_LR", "OPTIMIZERS", "build_optimizer", "optimizer_kwargs", "set_lr"]


def optimizer_kwargs(config: dict[str, Any]) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """The torch class and keyword arguments for `config` (`name` defaults to sgd)."""
    settings = {k: v for k, v in config.items() if k != "name"}
    settings.setdefault("lr", DEFAULT_LR)
    name = str(config.get("name", "sgd"))
    kwargs = optimizer_settings(name, settings)
    if not kwargs["lr"] <= MAX_LR:
        raise UserError(
            f"the learning rate lr must be at most {MAX_LR:,.0f}.", ErrorType.INVALID_OPTIMIZER
        )
    problem = settings_problem(name, kwargs)
    if problem:
        raise UserError(f"{name} can't use these settings: {problem}", ErrorType.INVALID_OPTIMIZER)
    return OPTIMIZERS[name].cls, kwargs


def build_optimizer(
    params: Iterable[torch.nn.Parameter], config: dict[str, Any]
) -> torch.optim.Optimizer:
    """The `torch.optim` optimizer named in `config` over `params`."""
    cls, kwargs = optimizer_kwargs(config)
    try:
        # foreach: one fused call per update instead of one per tensor (faster on small nets).
        return cls(params, **kwargs, foreach=True)  # type: ignore[call-arg]
    except (ValueError, TypeError) as exc:  # torch's own checks the schema did not foresee
        raise UserError(
            f"optimizer {config.get('name')!r}: {exc}", ErrorType.INVALID_OPTIMIZER
        ) from exc


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Change the learning rate of a running optimizer (takes effect at the next step)."""
    for group in optimizer.param_groups:
        group["lr"] = lr
