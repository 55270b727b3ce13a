"""Data preparation for a run, pure: dataset → features → split → normalization → targets.

Nothing here trains or keeps state; the same arguments give the same tensors, so the trainer,
the tests' plain loops and the landscape all read one prepared split.
"""

from dataclasses import dataclass
from typing import Any, Protocol

import torch

from app.errors import ErrorType, UserError
from app.settings import TrainLimits
from app.train import datasets as ds
from app.train.losses import LOSSES, output_width, prepare_targets


class Rows(Protocol):
    """What preparation reads from a dataset (whatever `ds.make_dataset` builds)."""

    @property
    def x(self) -> torch.Tensor: ...  # [rows, inputs] raw inputs
    @property
    def y(self) -> torch.Tensor: ...  # [rows] or [rows, targets]
    @property
    def task(self) -> str: ...  # "classification" or "regression"
    @property
    def n_classes(self) -> int: ...
    @property
    def input_names(self) -> tuple[str, ...]: ...


class Scaling(Protocol):
    """A fitted normalization (`ds.fit_normalization`)."""

    def apply(self, x: torch.Tensor) -> torch.Tensor: ...


def default_loss(task: str, n_classes: int, kind: str) -> str:
    """The loss of seed 003's table for the task."""
    if task == "regression":
        return "mse"
    if kind == "perceptron" or n_classes == 2:
        return "bce_with_logits"
    return "cross_entropy"


def resolve_loss(name: str, *, task: str, n_classes: int, kind: str) -> str:
    """The loss a run trains with: `auto` chooses by the task; an unknown name is an error."""
    loss = default_loss(task, n_classes, kind) if name == "auto" else name
    if loss not in LOSSES:
        raise UserError(
            f"unknown loss {loss!r}; choose auto or one of {', '.join(LOSSES)}",
            ErrorType.LOSS_ERROR,
        )
    return loss


@dataclass(frozen=True)
class PreparedData:
    """The model-ready split of one run: features, normalized with the training rows' statistics."""

    features: list[Any]  # the model's input columns as given: names or {op, of} values
    train_idx: torch.Tensor  # dataset rows used for training
    val_idx: torch.Tensor  # dataset rows held out
    norm: Scaling  # fitted on the training rows (identity when normalization is off)
    x_train: torch.Tensor  # [n_train, features]
    y_train: torch.Tensor  # targets in the loss's form (class indices or floats)
    x_val: torch.Tensor
    y_val: torch.Tensor
    n_outputs: int  # width of the model's last layer

    @property
    def n_train(self) -> int:
        """Training rows."""
        return len(self.train_idx)


def prepare_data(
    data: Rows,
    *,
    features: ds.Features | None,
    val_fraction: float,
    normalize: bool | str | dict[str, Any],
    seed: int,
    loss: str,
    limits: TrainLimits | None = None,
) -> PreparedData:
    """Compute the features, split the rows, fit the normalization, shape the targets."""
    names = list(features or data.input_names)
    columns = ds.compute_features(data.x, data.input_names, names, limits=limits)
    train_idx, val_idx = ds.split_indices(n=len(columns), val_fraction=val_fraction, seed=seed)
    norm = ds.fit_normalization(columns[train_idx], normalize=normalize)
    targets = prepare_targets(data.y, loss=loss, task=data.task, n_classes=data.n_classes)
    return PreparedData(
        features=names,
        train_idx=train_idx,
        val_idx=val_idx,
        norm=norm,
        x_train=norm.apply(columns[train_idx]),
        y_train=targets[train_idx],
        x_val=norm.apply(columns[val_idx]),
        y_val=targets[val_idx],
        n_outputs=output_width(
            loss=loss,
            task=data.task,
            n_classes=data.n_classes,
            n_targets=data.y.shape[1] if data.y.dim() == 2 else 1,
        ),
    )


def model_inputs(data: Rows, prepared: PreparedData, raw: torch.Tensor) -> torch.Tensor:
    """Raw input rows (grid points, unknown rows) as the model sees them."""
    return prepared.norm.apply(ds.compute_features(raw, data.input_names, prepared.features))
