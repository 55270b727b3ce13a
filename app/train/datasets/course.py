"""The course's own data, exactly as the seeds give it (seeds 000, 001, 002 and 004)."""

import numpy as np
import torch

from app.train.datasets.dataset import Dataset

# Seed 001 (Deep Learning with PyTorch, ch. 5): Celsius readings and an unknown unit.
THERMOMETER_T_C = (0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0)
THERMOMETER_T_U = (35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4)

# Seed 000: the x1, x2, y table; the last three rows have y = '?'.
TABLE_X1X2Y = (
    (2, 8, 5),
    (9, 2, 6),
    (4, 1, 0),
    (7, 9, 7),
    (2, 2, 3),
    (3, 4, 3),
    (3, 5, 9),
    (7, 1, 4),
    (6, 6, 3),
)
TABLE_UNKNOWN = ((4, 3), (1, 2), (2, 9))


def thermometer() -> Dataset:
    """t_c = w·t_u + b: the thermometer of seed 001."""
    return Dataset(
        x=torch.tensor(THERMOMETER_T_U).unsqueeze(1),
        y=torch.tensor(THERMOMETER_T_C).unsqueeze(1),
        input_names=("t_u",),
        target_names=("t_c",),
        task="regression",
    )


def table_x1x2y() -> Dataset:
    """Seed 000's table: predict y from x1 and x2, three rows unknown."""
    known = torch.tensor(TABLE_X1X2Y, dtype=torch.float32)
    return Dataset(
        x=known[:, :2],
        y=known[:, 2:],
        input_names=("x1", "x2"),
        task="regression",
        unknown_x=torch.tensor(TABLE_UNKNOWN, dtype=torch.float32),
    )


def go_out() -> Dataset:
    """Seed 002's perceptron: go out tonight (1) or not (0), from raining (0/1), lots of work
    (0/1) and friends going (0–4); friends matter most: go when friends − raining − work > 1."""
    rows = [
        (rain, work, friends)
        for rain in (0.0, 1.0)
        for work in (0.0, 1.0)
        for friends in (0.0, 1.0, 2.0, 3.0, 4.0)
    ]
    x = torch.tensor(rows)
    y = ((x[:, 2] - x[:, 0] - x[:, 1]) > 1).long()
    return Dataset(
        x=x,
        y=y,
        input_names=("raining", "work", "friends"),
        target_names=("go_out",),
        task="classification",
        n_classes=2,
    )


def random_regression(*, n_samples: int, d_in: int, d_out: int, seed: int) -> Dataset:
    """Seed 004's data: np.random.seed(42); x = randn(N, D_in), y = randn(N, D_out): with the
    default seed 42, exactly the notebook's numbers. Nothing to learn but noise."""
    rng = np.random.RandomState(seed)  # the legacy generator np.random.seed drives
    x = rng.randn(n_samples, d_in)
    y = rng.randn(n_samples, d_out)
    return Dataset(
        x=torch.from_numpy(x).float(),
        y=torch.from_numpy(y).float(),
        input_names=tuple(f"x{i + 1}" for i in range(d_in)),
        target_names=tuple(f"y{i + 1}" for i in range(d_out)),
        task="regression",
    )
