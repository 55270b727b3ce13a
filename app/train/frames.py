"""Pure frame builders: tensors in, numbers and lists out (the `frame` event's parts; the
numbers take their travelling shape in app/train/encode.py).

Each function builds one part of what the pages draw: the layers, the decision-boundary grid,
the fitted curve, the landscape's box and path, the predictions. None of them runs the model;
the trainer hands them its outputs.
"""

from typing import Any

import torch
from torch import nn

from app.train.encode import PROBABILITY_SCALE, rounded, thousandths


def layer_frames(
    linears: list[nn.Linear], activations: list[str], *, full: bool
) -> list[dict[str, Any]]:
    """Each linear layer's sizes, norms and (when `full`) weights [out][in], biases, gradients.

    `activations[i]` is what follows layer i (the last one is the output activation)."""
    described = []
    for i, layer in enumerate(linears):
        w, b = layer.weight.detach(), layer.bias.detach()
        gw, gb = layer.weight.grad, layer.bias.grad
        entry: dict[str, Any] = {
            "name": f"layer{i + 1}",
            "inputs": layer.in_features,
            "units": layer.out_features,
            "activation": activations[i],
            "weight_norm": float(w.norm()),
            "grad_norm": float(gw.norm()) if gw is not None else None,
        }
        if full:
            entry.update(
                weight=w.tolist(),
                bias=b.tolist(),
                weight_grad=gw.tolist() if gw is not None else None,
                bias_grad=gb.tolist() if gb is not None else None,
            )
        described.append(entry)
    return described


def axis_range(values: torch.Tensor) -> tuple[float, float]:
    """The values' range padded by 10 % (at least 0.5) on each side."""
    lo, hi = float(values.min()), float(values.max())
    pad = max((hi - lo) * 0.1, 0.5)
    return lo - pad, hi + pad


def grid_axes(x: torch.Tensor, resolution: int) -> dict[str, Any]:
    """The decision grid's box over two raw input columns: {x1: [lo, hi], x2: [lo, hi], n}."""
    (x1_lo, x1_hi), (x2_lo, x2_hi) = axis_range(x[:, 0]), axis_range(x[:, 1])
    return {"x1": [x1_lo, x1_hi], "x2": [x2_lo, x2_hi], "resolution": resolution}


def grid_points(axes: dict[str, Any]) -> torch.Tensor:
    """[n·n, 2] raw inputs of the grid's cells, row by row (row = x2 from min, column = x1)."""
    n = axes["resolution"]
    (x1_lo, x1_hi), (x2_lo, x2_hi) = axes["x1"], axes["x2"]
    rows, cols = torch.meshgrid(
        torch.linspace(x2_lo, x2_hi, n), torch.linspace(x1_lo, x1_hi, n), indexing="ij"
    )
    return torch.stack([cols.reshape(-1), rows.reshape(-1)], 1)


def value_grid(axes: dict[str, Any], values: torch.Tensor) -> dict[str, Any]:
    """A regression model's prediction at each of the grid's n·n cells."""
    n = axes["resolution"]
    return {**axes, "kind": "value", "values": rounded(values.reshape(n, n))}


def probability_grid(axes: dict[str, Any], p: torch.Tensor) -> dict[str, Any]:
    """P(class 1) [n·n] or class probabilities [n·n, k] as the grid's cells (in thousandths)."""
    n = axes["resolution"]
    if p.dim() == 1:
        return {
            **axes,
            "kind": "probability",
            "scale": PROBABILITY_SCALE,
            "values": thousandths(p.reshape(n, n)),
        }
    confidence, label = p.max(1)
    return {
        **axes,
        "kind": "class",
        "classes": p.shape[1],
        "scale": PROBABILITY_SCALE,
        "values": label.reshape(n, n).tolist(),
        "confidence": thousandths(confidence.reshape(n, n)),
    }


def curve_frame(x: torch.Tensor, y: torch.Tensor) -> dict[str, Any]:
    """A one-input model's fitted function: inputs x [points] and outputs y [points]."""
    return {"x": rounded(x), "y": rounded(y)}


def landscape_frame(box: dict[str, Any], path: list[list[float]]) -> dict[str, Any]:
    """The landscape part of a frame: the surface's version and box, and the descent path (the
    surface itself is served once, by GET /api/v1/runs/{id}/landscape)."""
    return {**box, "path": path}


def predictions(values: torch.Tensor) -> list[Any]:
    """The model's outputs (or probabilities) for rows, as nested lists."""
    out: list[Any] = values.tolist()
    return out
