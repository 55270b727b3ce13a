"""Splitting rows into training and validation, z-score normalization, and the points answer."""

from dataclasses import dataclass
from typing import Any

import torch

from app.errors import ErrorType, UserError
from app.train.datasets.dataset import Dataset
from app.train.features import feature_names, feature_options


@dataclass(frozen=True)
class Normalization:
    """Per-column z-scores from the training split, (x − mean) / std, or x · factor."""

    mean: torch.Tensor  # [d]
    std: torch.Tensor  # [d], 1 where a column is constant
    factor: float | None = None  # multiply instead (the textbook's t_un = 0.1 * t_u)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """Normalize feature columns."""
        if self.factor is not None:
            return x * self.factor  # exactly the book's product, not a division by 1/factor
        return (x - self.mean) / self.std


def fit_normalization(x: torch.Tensor, *, normalize: bool | str | dict[str, Any]) -> Normalization:
    """What a run's `normalize` asks for: z-scores of the training features (True, "zscore"),
    a constant factor ({"kind": "scale", "factor": f}) or nothing (False)."""
    d = x.shape[1]
    if isinstance(normalize, dict):
        if normalize.get("kind") != "scale" or not float(normalize.get("factor", 0)) > 0:
            raise UserError(
                'normalize must be false, true, "zscore" or {"kind": "scale", "factor": > 0}',
                ErrorType.DATASET_ERROR,
            )
        return Normalization(torch.zeros(d), torch.ones(d), factor=float(normalize["factor"]))
    if normalize not in (True, "zscore"):
        return Normalization(torch.zeros(d), torch.ones(d))
    std = x.std(0, unbiased=False)
    return Normalization(x.mean(0), torch.where(std > 0, std, torch.ones_like(std)))


def split_indices(*, n: int, val_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Train and validation row indices: a seeded shuffle, the first round(n·f) for validation."""
    if not 0 <= val_fraction < 1:
        raise UserError("val_fraction must be at least 0 and below 1", ErrorType.DATASET_ERROR)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = min(round(n * val_fraction), n - 1)
    return order[n_val:], order[:n_val]


def describe_points(
    data: Dataset, *, train_idx: torch.Tensor, val_idx: torch.Tensor
) -> dict[str, Any]:
    """The points in the data's own units, split, for the page to draw, and the features it
    may offer (`features` as legacy strings, `feature_options` as labels and request values)."""
    y = data.y if data.y.dim() == 1 else data.y[:, 0]
    return {
        "input_names": list(data.input_names),
        "target_names": list(data.target_names),
        "task": data.task,
        "n_classes": data.n_classes,
        "features": feature_names(data.input_names),
        "feature_options": feature_options(data.input_names),
        "train": {"x": data.x[train_idx].tolist(), "y": y[train_idx].tolist()},
        "val": {"x": data.x[val_idx].tolist(), "y": y[val_idx].tolist()},
        "unknown": data.unknown_x.tolist() if data.unknown_x is not None else [],
    }
