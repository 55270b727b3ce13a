"""What defines a run (the body of POST /api/v1/runs, resolved), checked against the limits."""

from dataclasses import dataclass, field
from typing import Any

from app.errors import ErrorType, UserError
from app.settings import TrainLimits
from app.train import datasets as ds
from app.train.losses import REGULARIZERS, check_loss
from app.train.models import ModelSpec, resolve_model
from app.train.prepare import Rows, resolve_loss


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run (the body of POST /api/v1/runs, resolved)."""

    dataset: dict[str, Any]  # {"name": ..., plus that dataset's options}
    model: dict[str, Any]  # {"kind", "hidden", "activation", "output", "dropout", "init"}
    features: ds.Features | None = None  # column names, legacy strings, {op, of}; None = inputs
    val_fraction: float = 0.2  # share of rows held out for validation
    # False; True or "zscore": z-score each feature with the training split's mean and std;
    # {"kind": "scale", "factor": f}: multiply each feature by f (the textbook's 0.1 * t_u)
    normalize: bool | str | dict[str, Any] = False
    loss: str = "auto"  # auto: mse (regression), bce_with_logits (2 classes), cross_entropy
    regularization: dict[str, Any] | None = None  # {"kind": "l1"|"l2", "rate": float}
    optimizer: dict[str, Any] = field(default_factory=lambda: {"name": "sgd", "lr": 0.01})
    batch_size: int | None = None  # None = the whole training set (plain gradient descent)
    max_epochs: int = 1000  # the run finishes after this many epochs
    seed: int = 0  # seeds initialisation, batch order and dropout
    target_loss: float | None = None  # finish once an epoch's train loss is at most this
    grid_resolution: int = 50  # cells per side of the decision-boundary / landscape grids
    overfit_patience: int = 20  # epochs val loss stays clearly above its low (train falling)
    divergence_factor: float = 100.0  # an epoch loss this many times the first epoch's diverged
    explode_factor: float = 10.0  # so has one this many times the lowest, 10 epochs in a row


def regularization_of(config: TrainConfig) -> tuple[str, float]:
    """(kind, rate) of the run's regularization; an unknown kind is an error."""
    reg = config.regularization or {"kind": "none", "rate": 0.0}
    kind, rate = str(reg.get("kind", "none")), float(reg.get("rate", 0.0))
    if kind not in REGULARIZERS:
        raise UserError(
            f"unknown regularization {kind!r}; choose one of {', '.join(REGULARIZERS)}",
            ErrorType.LOSS_ERROR,
        )
    return kind, rate


def batch_size_within(batch_size: int | None, *, n_train: int) -> int:
    """Rows per update: None = the whole set; more rows than there are = the whole set."""
    if batch_size is None:
        return n_train
    if batch_size < 1:
        raise UserError(
            "batch_size must be at least 1 (or null for the whole set)", ErrorType.LIMIT_EXCEEDED
        )
    return min(batch_size, n_train)


def check_limits(config: TrainConfig, limits: TrainLimits) -> None:
    """The run's epoch cap and grid resolution are within the server's limits."""
    if not 1 <= config.max_epochs <= limits.max_epochs:
        raise UserError(f"max_epochs must be 1 to {limits.max_epochs}", ErrorType.LIMIT_EXCEEDED)
    if not 2 <= config.grid_resolution <= limits.max_grid_resolution:
        raise UserError(
            f"grid_resolution must be 2 to {limits.max_grid_resolution}", ErrorType.LIMIT_EXCEEDED
        )


def resolve_loss_and_model(
    config: TrainConfig, data: Rows, limits: TrainLimits
) -> tuple[str, ModelSpec]:
    """The run's loss (auto: by the task) and model, checked to fit each other and the data."""
    kind = str(config.model.get("kind"))
    loss = resolve_loss(config.loss, task=data.task, n_classes=data.n_classes, kind=kind)
    spec = resolve_model(config.model, loss=loss, limits=limits)
    check_loss(loss=loss, output=spec.output, task=data.task, n_classes=data.n_classes, kind=kind)
    return loss, spec
