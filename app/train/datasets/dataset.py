"""The one shape every dataset has: inputs, targets, their names, the task."""

from dataclasses import dataclass
from typing import Literal

import torch

Task = Literal["regression", "classification"]


@dataclass(frozen=True)
class Dataset:
    """Points with known targets, plus rows whose target is unknown (to predict)."""

    x: torch.Tensor  # [n, d] float32 inputs, in the units the user knows
    y: torch.Tensor  # [n] int64 class index, or [n, k] float32 regression targets
    input_names: tuple[str, ...]  # one name per column of x
    task: Task
    n_classes: int = 0  # 0 for regression
    unknown_x: torch.Tensor | None = None  # [m, d] rows whose target is '?'
    target_names: tuple[str, ...] = ("y",)
