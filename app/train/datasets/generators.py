"""Generated point clouds: 2-D classification (after TensorFlow Playground's dataset.ts) and
small regression sets.

Every generator draws from its own `torch.Generator` seeded by `seed`, so the same parameters
give the same points on any thread, whatever else the process is doing.
"""

import math

import torch

from app.train.datasets.dataset import Dataset

# --- 2-D classification (after TensorFlow Playground's dataset.ts) ---------------------------


def _two_classes(x: torch.Tensor, label: torch.Tensor) -> Dataset:
    return Dataset(
        x=x.float(), y=label.long(), input_names=("x1", "x2"), task="classification", n_classes=2
    )


def _halves(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def circle(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """Class 1 inside a disc of radius 2.5, class 0 in a ring from 3.5 to 5."""
    g = torch.Generator().manual_seed(seed)
    n_in, n_out = _halves(n_samples)
    r = torch.cat([torch.rand(n_in, generator=g) * 2.5, 3.5 + torch.rand(n_out, generator=g) * 1.5])
    t = torch.rand(n_samples, generator=g) * 2 * math.pi
    x = torch.stack([r * torch.cos(t), r * torch.sin(t)], 1)
    x = x + noise * torch.randn(n_samples, 2, generator=g)
    return _two_classes(x, torch.cat([torch.ones(n_in), torch.zeros(n_out)]))


def xor(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """Class 1 where x1·x2 > 0 (quadrants 1 and 3), class 0 elsewhere."""
    g = torch.Generator().manual_seed(seed)
    n_pos, n_neg = _halves(n_samples)
    mag = 0.3 + torch.rand(n_samples, 2, generator=g) * 4.7  # keep a gap around the axes
    sign = torch.where(torch.rand(n_samples, generator=g) < 0.5, 1.0, -1.0)
    same = torch.cat([torch.ones(n_pos), -torch.ones(n_neg)])  # sign of x2 relative to x1
    x = torch.stack([mag[:, 0] * sign, mag[:, 1] * sign * same], 1)
    x = x + noise * torch.randn(n_samples, 2, generator=g)
    return _two_classes(x, (same > 0).float())


def gauss(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """Two Gaussian clouds centred at (2, 2) (class 1) and (−2, −2) (class 0)."""
    g = torch.Generator().manual_seed(seed)
    n_pos, n_neg = _halves(n_samples)
    centre = torch.cat([torch.full((n_pos, 2), 2.0), torch.full((n_neg, 2), -2.0)])
    x = centre + (0.5 + noise) * torch.randn(n_samples, 2, generator=g)
    return _two_classes(x, torch.cat([torch.ones(n_pos), torch.zeros(n_neg)]))


def spiral(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """Two interleaved spirals of radius 5, one per class."""
    g = torch.Generator().manual_seed(seed)
    n_a, n_b = _halves(n_samples)
    parts = []
    for n, delta in ((n_a, 0.0), (n_b, math.pi)):
        i = torch.arange(n, dtype=torch.float32)
        r = i / max(n, 1) * 5
        t = 1.75 * i / max(n, 1) * 2 * math.pi + delta
        parts.append(torch.stack([r * torch.sin(t), r * torch.cos(t)], 1))
    x = torch.cat(parts) + noise * torch.randn(n_samples, 2, generator=g)
    return _two_classes(x, torch.cat([torch.ones(n_a), torch.zeros(n_b)]))


def moons(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """Two interleaving half circles (as scikit-learn's make_moons), scaled to about ±4."""
    g = torch.Generator().manual_seed(seed)
    n_a, n_b = _halves(n_samples)
    ta = torch.rand(n_a, generator=g) * math.pi
    tb = torch.rand(n_b, generator=g) * math.pi
    upper = torch.stack([torch.cos(ta), torch.sin(ta)], 1)
    lower = torch.stack([1 - torch.cos(tb), 0.5 - torch.sin(tb)], 1)
    x = (torch.cat([upper, lower]) - torch.tensor([0.5, 0.25])) * 2.5
    x = x + noise * torch.randn(n_samples, 2, generator=g)
    return _two_classes(x, torch.cat([torch.zeros(n_a), torch.ones(n_b)]))


def blobs(*, n_samples: int, noise: float, seed: int, n_classes: int) -> Dataset:
    """`n_classes` Gaussian clouds on a circle of radius 3, equal sizes (±1)."""
    g = torch.Generator().manual_seed(seed)
    label = torch.arange(n_samples) % n_classes
    angle = label.float() * 2 * math.pi / n_classes
    centre = 3 * torch.stack([torch.cos(angle), torch.sin(angle)], 1)
    x = centre + (0.5 + noise) * torch.randn(n_samples, 2, generator=g)
    return Dataset(
        x=x, y=label, input_names=("x1", "x2"), task="classification", n_classes=n_classes
    )


# --- regression ------------------------------------------------------------------------------


def sine(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """1-D regression: y = sin(x) on [−3, 3] plus Gaussian noise."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n_samples, 1, generator=g) * 6 - 3
    y = torch.sin(x) + noise * torch.randn(n_samples, 1, generator=g)
    return Dataset(x=x, y=y, input_names=("x",), task="regression")


def plane(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """2-D regression: y = (x1 + x2) / 10 on [−5, 5]² plus Gaussian noise (a tilted plane)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n_samples, 2, generator=g) * 10 - 5
    y = (x.sum(1, keepdim=True) / 10) + noise * torch.randn(n_samples, 1, generator=g)
    return Dataset(x=x, y=y, input_names=("x1", "x2"), task="regression")


def bumps(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """2-D regression: a positive bump at (2, 2) and a negative one at (−2, −2)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n_samples, 2, generator=g) * 10 - 5
    bump = torch.exp(-((x - 2) ** 2).sum(1) / 4) - torch.exp(-((x + 2) ** 2).sum(1) / 4)
    y = bump.unsqueeze(1) + noise * torch.randn(n_samples, 1, generator=g)
    return Dataset(x=x, y=y, input_names=("x1", "x2"), task="regression")
