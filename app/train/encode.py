"""The one place the training core shapes numbers for travel (as app/graph/encode.py does for
programs): tensors become nested lists, rounded, and grid probabilities integers. JSON itself,
strict-JSON strings and SSE lines are the edge's (app/api)."""

from typing import Any

import torch

# Grid probabilities travel as integers in thousandths (1000 = certain): integers encode several
# times faster than floats, and a heatmap needs no more. The frame says so with `scale`.
PROBABILITY_SCALE = 1000
DECIMALS = 4  # curves, regression grids and the loss surface are rounded to this many places


def thousandths(p: torch.Tensor) -> list[Any]:
    """Probabilities in [0, 1] as nested lists of integers 0 … PROBABILITY_SCALE."""
    out: list[Any] = (p * PROBABILITY_SCALE).round().int().tolist()
    return out


def rounded(t: torch.Tensor, decimals: int = DECIMALS) -> list[Any]:
    """Nested lists of the values rounded to `decimals` places (in float64, as printed)."""
    out: list[Any] = torch.round(t.double(), decimals=decimals).tolist()
    return out
