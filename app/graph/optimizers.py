"""The optimizer table: public name → torch.optim class, its defaults and the settings it takes.

Each setting's default comes from the torch class's own signature (`inspect.signature`),
overridden by the table's `defaults`; its type from the signature's annotation; its bounds from
`BOUNDS`. The API's optimizer schemas (app/api/schemas/optimizers.py) and catalogue are built
from `SETTINGS`, so adding an optimizer is one entry in `OPTIMIZERS`.
"""

import inspect
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import torch

from app.errors import ErrorType, UserError

DEFAULT_LR = 0.01  # our default learning rate for every optimizer (not torch's per-class one)
MAX_LR = 1e6  # the API refuses a larger learning rate before anything runs
# The API's ceiling for the other unbounded settings: far above any useful value, and well
# below float32's largest number (3.4e38), which torch can't convert a larger one to mid-run.
MAX_SETTING = 1e6


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


@dataclass(frozen=True)
class Bounds:
    """The range a number may take (each bound applies when set); for a pair, each element's."""

    doc: str
    gt: float | None = None  # above
    ge: float | None = None  # at least
    lt: float | None = None  # below
    le: float | None = None  # at most


BOUNDS: dict[str, Bounds] = {
    "lr": Bounds("learning rate: the size of each step", gt=0, le=MAX_LR),
    "momentum": Bounds("share of the previous step added to this one", ge=0, le=1),
    "dampening": Bounds("share of the gradient left out of the momentum", ge=0, le=1),
    "nesterov": Bounds("Nesterov momentum: the gradient is taken after the momentum step"),
    "weight_decay": Bounds(
        "L2 penalty added to the gradient (AdamW: decoupled)", ge=0, le=MAX_SETTING
    ),
    "alpha": Bounds("smoothing constant of the squared-gradient average", ge=0, le=1),
    "eps": Bounds("added to the denominator, so it is never 0", gt=0, le=MAX_SETTING),
    "centered": Bounds("divide by the gradient's variance instead of its second moment"),
    "lr_decay": Bounds("learning-rate decay: lr / (1 + (step − 1)·lr_decay)", ge=0, le=MAX_SETTING),
    "betas": Bounds("decay rates of the gradient's and squared gradient's averages", ge=0, lt=1),
    "amsgrad": Bounds("AMSGrad: keep the largest squared-gradient average so far"),
}

SettingType = Literal["float", "bool", "pair"]  # pair: two floats, such as Adam's betas


@dataclass(frozen=True)
class Setting:
    """One hyperparameter an optimizer of the API takes."""

    name: str
    type: SettingType
    default: Any  # float, bool or a pair of floats
    bounds: Bounds


def _setting_type(annotation: Any, default: Any) -> SettingType:
    """The signature's annotation without torch.Tensor (`float | Tensor` is a float)."""
    args = [a for a in typing.get_args(annotation) if a is not torch.Tensor]
    if typing.get_origin(annotation) is tuple:
        return "pair"
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = args[0] if len(args) == 1 else None
    if annotation is bool:
        return "bool"
    if annotation is float:
        return "float"
    # No usable annotation: the default's own type says it.
    if isinstance(default, bool):
        return "bool"
    return "pair" if isinstance(default, tuple) else "float"


def _settings(kind: OptimizerKind) -> tuple[Setting, ...]:
    signature = inspect.signature(kind.cls.__init__).parameters
    found = [Setting("lr", "float", DEFAULT_LR, BOUNDS["lr"])]
    for name in kind.settings:
        param = signature[name]
        default = kind.defaults.get(name, param.default)
        type_ = _setting_type(param.annotation, default)
        if type_ == "float":
            default = float(default)
        elif type_ == "pair":
            default = tuple(float(d) for d in default)
        found.append(Setting(name, type_, default, BOUNDS[name]))
    return tuple(found)


# Public name → the settings a request may give (lr first), with torch's defaults.
SETTINGS: dict[str, tuple[Setting, ...]] = {name: _settings(k) for name, k in OPTIMIZERS.items()}


def settings_problem(name: str, settings: dict[str, Any]) -> str | None:
    """What torch's cross-field checks would refuse, in a sentence; None when they pass."""
    full = {**OPTIMIZERS[name].defaults, **settings}
    if full.get("nesterov") and (full.get("momentum", 0) <= 0 or full.get("dampening", 0) != 0):
        return (
            "Nesterov momentum needs a momentum above 0 and no dampening (dampening 0): it "
            "looks ahead along the momentum, so there must be one."
        )
    return None


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
    if lr is None or isinstance(lr, bool) or not (isinstance(lr, int | float) and lr > 0):
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
    problem = settings_problem(name, kwargs)
    if problem:
        raise UserError(f"{name} can't use these settings: {problem}", ErrorType.INVALID_OPTIMIZER)
    try:
        return OPTIMIZERS[name].cls(params, **kwargs)
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"{name} can't use these settings: {exc}", ErrorType.INVALID_OPTIMIZER
        ) from None
