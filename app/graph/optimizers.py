"""The optimizer table: public name → torch.optim class, its defaults and the settings it takes."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch

from app.errors import ErrorType, UserError


@dataclass(frozen=True)
class OptimizerKind:
    """One optimizer of the API."""

    cls: type[torch.optim.Optimizer]
    defaults: dict[str, Any]  # applied before the request's settings
    settings: tuple[str, ...]  # the hyperparameters a request may set (besides lr)
    doc: str


OPTIMIZERS: dict[str, OptimizerKind] = {
    "sgd": OptimizerKind(
        torch.optim.SGD,
        {},
        ("momentum", "dampening", "nesterov", "weight_decay"),
        "plain (stochastic) gradient descent",
    ),
    "momentum": OptimizerKind(
        torch.optim.SGD,
        {"momentum": 0.9},
        ("momentum", "dampening", "weight_decay"),
        "SGD with momentum 0.9 by default",
    ),
    "nesterov": OptimizerKind(
        torch.optim.SGD,
        {"momentum": 0.9, "nesterov": True},
        ("momentum", "weight_decay"),
        "SGD with Nesterov momentum",
    ),
    "rmsprop": OptimizerKind(
        torch.optim.RMSprop, {}, ("alpha", "eps", "momentum", "centered", "weight_decay"), "RMSprop"
    ),
    "adagrad": OptimizerKind(
        torch.optim.Adagrad, {}, ("lr_decay", "eps", "weight_decay"), "Adagrad"
    ),
    "adam": OptimizerKind(
        torch.optim.Adam, {}, ("betas", "eps", "weight_decay", "amsgrad"), "Adam"
    ),
    "adamw": OptimizerKind(
        torch.optim.AdamW,
        {},
        ("betas", "eps", "weight_decay", "amsgrad"),
        "Adam with decoupled weight decay",
    ),
}


def optimizer_settings(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the torch optimizer `name`, or a clear error."""
    kind = OPTIMIZERS.get(name)
    if kind is None:
        raise UserError(
            f"unknown optimizer {name}; choose one of {', '.join(OPTIMIZERS)}.",
            ErrorType.INVALID_OPTIMIZER,
        )
    given = {k: v for k, v in settings.items() if v is not None}
    lr = given.pop("lr", None)
    if lr is None or not (isinstance(lr, int | float) and lr > 0):
        raise UserError(
            "the learning rate lr must be a number above 0.", ErrorType.INVALID_OPTIMIZER
        )
    unknown = [k for k in given if k not in kind.settings]
    if unknown:
        raise UserError(
            f"{name} has no setting {unknown[0]}; it takes lr"
            + "".join(f", {s}" for s in kind.settings)
            + ".",
            ErrorType.INVALID_OPTIMIZER,
        )
    if "betas" in given:
        given["betas"] = tuple(given["betas"])
    return {**kind.defaults, "lr": float(lr), **given}


def make_optimizer(
    name: str, params: Iterable[torch.Tensor], settings: dict[str, Any]
) -> torch.optim.Optimizer:
    """Build the torch optimizer `name` over `params`."""
    kwargs = optimizer_settings(name, settings)
    try:
        return OPTIMIZERS[name].cls(params, **kwargs)
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"{name} can't use these settings: {exc}", ErrorType.INVALID_OPTIMIZER
        ) from None
