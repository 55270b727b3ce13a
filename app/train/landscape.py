"""The loss landscape of a two-parameter model (one input, one output: w and b).

The surface — the training objective over a (w, b) grid around the start and the least-squares
fit — depends only on the training rows, the loss and the regularization, so it is computed once
per version and served on its own (GET /api/v1/runs/{id}/landscape); frames carry only its
version, its box and the descent path, which grows with every update.
"""

import threading
from collections.abc import Callable
from typing import Any

import torch

from app.train.encode import rounded


class DescentPath:
    """[w, b] after each update from the start, thinned to at most `max_points` points."""

    def __init__(self, max_points: int) -> None:
        self.max_points = max_points
        self.points: list[list[float]] = []
        self._stride = 1  # record every stride-th step

    def record(self, step: int, w: float, b: float) -> None:
        """The parameters after `step` updates (0 = the start)."""
        if step % self._stride:
            return
        self.points.append([w, b])
        if len(self.points) > self.max_points:
            # Keep every other point (the first one stays) and sample half as often from now on.
            self.points = self.points[::2]
            self._stride *= 2


@torch.no_grad()
def loss_surface(
    w: torch.Tensor,
    b: torch.Tensor,
    *,
    x: torch.Tensor,
    y: torch.Tensor,
    output: Callable[[torch.Tensor], torch.Tensor],
    loss_fn: Callable[..., torch.Tensor],
    reg_kind: str,
    reg_rate: float,
) -> torch.Tensor:
    """The training objective of output(w·x + b) against y at every (w[j], b[i]): [len(b), len(w)].

    x: [n] the one feature of the training rows; y: their targets [n] or [n, 1]. Computed a few
    rows of b at a time, so memory stays near CHUNK_ELEMENTS floats whatever n is."""
    rows_per_chunk = max(1, CHUNK_ELEMENTS // max(1, len(w) * len(x)))
    parts = []
    for start in range(0, len(b), rows_per_chunk):
        part = b[start : start + rows_per_chunk]
        z = w.reshape(1, -1, 1) * x.reshape(1, 1, -1) + part.reshape(-1, 1, 1)  # [nb', nw, n]
        out = output(z.unsqueeze(-1))
        target = y.reshape(1, 1, -1, 1).expand_as(out)
        parts.append(loss_fn(out, target.to(out.dtype), reduction="none").mean(dim=(-2, -1)))
    loss = torch.cat(parts)
    if reg_rate and reg_kind != "none":
        per_weight = w.abs() if reg_kind == "l1" else w * w
        loss = loss + reg_rate * per_weight.reshape(1, -1)
    return loss


def landscape_box(
    x: torch.Tensor, y: torch.Tensor, start: list[float]
) -> tuple[float, float, float, float]:
    """(w_lo, w_hi, b_lo, b_hi): a box around the start and the least-squares fit of y on x,
    half as wide again as the distance between them (at least ±1)."""
    x64, y64 = x.double(), y.reshape(-1).double()
    design = torch.stack([x64, torch.ones_like(x64)], 1)
    solution = torch.linalg.lstsq(design, y64.unsqueeze(1)).solution[:, 0]
    ws = [start[0], float(solution[0])]
    bs = [start[1], float(solution[1])]
    w_half = max((max(ws) - min(ws)) * 0.75, 1.0)
    b_half = max((max(bs) - min(bs)) * 0.75, 1.0)
    w_mid, b_mid = (max(ws) + min(ws)) / 2, (max(bs) + min(bs)) / 2
    return w_mid - w_half, w_mid + w_half, b_mid - b_half, b_mid + b_half


CHUNK_ELEMENTS = 2_000_000  # grid points × rows evaluated at once (about 8 MB a tensor)


class LossLandscape:
    """The versioned surface of one run: the box is fixed at the start, the surface computed
    on first request; `recompute()` drops it and bumps the version (nothing calls it yet: no
    live change alters the objective)."""

    def __init__(
        self,
        *,
        resolution: int,
        start: list[float],
        x: torch.Tensor,
        y: torch.Tensor,
        objective: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    ) -> None:
        self.resolution = resolution  # cells per side
        self.version = 1  # changes exactly when the surface is recomputed
        self._x, self._y, self._start = x, y, start
        self._objective = objective  # (w [nw], b [nb]) → loss [nb, nw]
        self._box: tuple[float, float, float, float] | None = None
        self._surface: list[Any] | None = None
        self._computing = threading.Lock()  # one computation; concurrent requests wait for it

    def box(self) -> dict[str, Any]:
        """{version, w: [lo, hi], b: [lo, hi], resolution}: what a frame says of the surface."""
        if self._box is None:
            self._box = landscape_box(self._x, self._y, self._start)
        w_lo, w_hi, b_lo, b_hi = self._box
        return {
            "version": self.version,
            "w": [w_lo, w_hi],
            "b": [b_lo, b_hi],
            "resolution": self.resolution,
        }

    def surface(self) -> dict[str, Any]:
        """The box and `loss` [row over b][column over w], rounded to 4 places."""
        with self._computing:
            box = self.box()
            if self._surface is None:
                n = self.resolution
                w = torch.linspace(box["w"][0], box["w"][1], n)
                b = torch.linspace(box["b"][0], box["b"][1], n)
                self._surface = rounded(self._objective(w, b))
            return {**box, "loss": self._surface}

    def recompute(self) -> None:
        """Forget the surface (the objective changed); the next request computes version + 1."""
        self._box = self._surface = None
        self.version += 1
