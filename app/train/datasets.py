"""Datasets: one table from the public name to a generator or loader, plus features and splits.

Every generator draws from its own `torch.Generator` seeded by `seed`, so the same parameters
give the same points on any thread, whatever else the process is doing.
"""

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch

from app.errors import ErrorType, LimitError, UserError
from app.settings import TrainLimits

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


@dataclass(frozen=True)
class Param:
    """One option of a dataset generator: its default, bounds and meaning."""

    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | str | None = None  # a number, or the name of the TrainLimits field
    kind: Literal["int", "float", "text", "points"] = "float"


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset in the catalogue."""

    make: Callable[..., Dataset]
    task: Task
    doc: str
    params: dict[str, Param] = field(default_factory=dict)


# --- the seeds' data -------------------------------------------------------------------------

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


# --- your own data ---------------------------------------------------------------------------


class CSVError(UserError):
    """A CSV that cannot be read, with one message per bad row (line numbers are 1-based)."""

    def __init__(self, message: str, rows: list[dict[str, object]]) -> None:
        super().__init__(message, ErrorType.CSV_ERROR)
        self.rows = rows

    def as_dict(self) -> dict[str, object]:
        """The error object, with the per-row problems under `rows`."""
        return {**super().as_dict(), "rows": self.rows}


UNKNOWN_MARKS = {"", "?", "na", "nan"}
FLOAT32_MAX = 3.4028234663852886e38  # larger values would train as infinity


def _infer_task(values: list[float], task: str) -> tuple[Task, int]:
    distinct = set(values)
    integral = all(v.is_integer() and v >= 0 for v in values)
    if task == "classification" or (task == "auto" and integral and len(distinct) <= 10):
        if not integral:
            raise UserError("class labels must be whole numbers 0, 1, 2, …", ErrorType.CSV_ERROR)
        return "classification", int(max(distinct)) + 1 if distinct else 0
    return "regression", 0


def from_csv(*, text: str, target: str = "", task: str = "auto") -> Dataset:
    """Parse CSV text: a header row, numbers only; `target` names the column to predict (default:
    the last one); a target of '?' or empty marks a row to predict."""
    if task not in ("auto", "regression", "classification"):
        raise CSVError(f"task is {task!r}; choose auto, regression or classification", [])
    try:  # only trailing blank lines go: a bad row keeps its line number
        lines = list(csv.reader(io.StringIO(text.rstrip())))
    except csv.Error as exc:
        raise CSVError(f"the CSV can't be read: {exc}", []) from None
    skipped = 0
    while lines and not any(c.strip() for c in lines[0]):
        lines.pop(0)  # blank lines before the header
        skipped += 1
    if len(lines) < 2:
        raise CSVError("the CSV needs a header row and at least one row of numbers", [])
    header = [h.strip() for h in lines[0]]
    if len(header) < 2:
        raise CSVError("the CSV needs at least two columns: inputs and a target", [])
    if len(set(header)) != len(header) or not all(header):
        raise CSVError("every column needs a distinct, non-empty name in the header", [])
    if target and target not in header:
        raise CSVError(f"there is no column named {target!r}; the columns are {header}", [])
    column = header.index(target) if target else len(header) - 1
    problems: list[dict[str, object]] = []
    known: list[list[float]] = []
    unknown: list[list[float]] = []
    for number, cells in enumerate(lines[1:], start=skipped + 2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                {"line": number, "message": f"{len(cells)} values, the header has {len(header)}"}
            )
            continue
        row: list[float] = []
        missing_target = False
        for name, cell in zip(header, cells, strict=True):
            raw = cell.strip()
            if name == header[column] and raw.lower() in UNKNOWN_MARKS:
                missing_target = True
                row.append(math.nan)
                continue
            try:
                value = float(raw)
            except ValueError:
                problems.append(
                    {"line": number, "message": f"column {name!r} is {raw!r}, not a number"}
                )
                break
            if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
                problems.append(
                    {"line": number, "message": f"column {name!r} is {raw}, not a finite number"}
                )
                break
            row.append(value)
        else:
            (unknown if missing_target else known).append(row)
    if problems:
        shown = "; ".join(f"line {p['line']}: {p['message']}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise CSVError(f"{len(problems)} bad rows in the CSV: {shown}{more}", problems)
    if not known:
        raise CSVError("the CSV has no row with a known target", [])
    data = torch.tensor(known, dtype=torch.float32)
    inputs = [i for i in range(len(header)) if i != column]
    kind, n_classes = _infer_task(data[:, column].tolist(), task)
    y = data[:, column].long() if kind == "classification" else data[:, column : column + 1]
    return Dataset(
        x=data[:, inputs],
        y=y,
        input_names=tuple(header[i] for i in inputs),
        target_names=(header[column],),
        task=kind,
        n_classes=n_classes,
        unknown_x=torch.tensor(unknown, dtype=torch.float32)[:, inputs] if unknown else None,
    )


def from_points(*, points: list[list[float]], task: str = "classification") -> Dataset:
    """Points clicked on the plot: rows of [x1, x2, label]."""
    if not points:
        raise UserError("add at least one point", ErrorType.DATASET_ERROR)
    if any(len(p) != 3 for p in points):
        raise UserError("each point is [x1, x2, label]", ErrorType.DATASET_ERROR)
    text = "x1,x2,y\n" + "\n".join(",".join(repr(float(v)) for v in p) for p in points)
    return from_csv(text=text, task=task)


# --- the table -------------------------------------------------------------------------------

N_SAMPLES = Param(200, "number of points", 1, "max_samples", "int")
NOISE = Param(0.1, "standard deviation of Gaussian noise added to each point", 0, 5)
SEED = Param(0, "seed of the random generator: same seed, same points", 0, 2**31 - 1, "int")
CLOUD = {"n_samples": N_SAMPLES, "noise": NOISE, "seed": SEED}

DATASETS: dict[str, DatasetSpec] = {
    "thermometer": DatasetSpec(thermometer, "regression", thermometer.__doc__ or ""),
    "table": DatasetSpec(table_x1x2y, "regression", table_x1x2y.__doc__ or ""),
    "go_out": DatasetSpec(go_out, "classification", go_out.__doc__ or ""),
    "random_regression": DatasetSpec(
        random_regression,
        "regression",
        random_regression.__doc__ or "",
        {
            "n_samples": Param(64, "N, the number of rows", 1, "max_samples", "int"),
            "d_in": Param(1000, "D_in, input columns", 1, "max_features", "int"),
            "d_out": Param(10, "D_out, target columns", 1, 100, "int"),
            "seed": Param(42, "np.random.seed of the notebook", 0, 2**31 - 1, "int"),
        },
    ),
    "circle": DatasetSpec(circle, "classification", circle.__doc__ or "", CLOUD),
    "xor": DatasetSpec(xor, "classification", xor.__doc__ or "", CLOUD),
    "gauss": DatasetSpec(gauss, "classification", gauss.__doc__ or "", CLOUD),
    "spiral": DatasetSpec(spiral, "classification", spiral.__doc__ or "", CLOUD),
    "moons": DatasetSpec(moons, "classification", moons.__doc__ or "", CLOUD),
    "blobs": DatasetSpec(
        blobs,
        "classification",
        blobs.__doc__ or "",
        {**CLOUD, "n_classes": Param(3, "number of classes", 2, "max_classes", "int")},
    ),
    "sine": DatasetSpec(sine, "regression", sine.__doc__ or "", CLOUD),
    "plane": DatasetSpec(plane, "regression", plane.__doc__ or "", CLOUD),
    "bumps": DatasetSpec(bumps, "regression", bumps.__doc__ or "", CLOUD),
    "csv": DatasetSpec(
        from_csv,
        "regression",
        "Your own CSV text (classification when the target holds a few whole numbers).",
        {
            "text": Param("", "the CSV: a header row, then numbers", kind="text"),
            "target": Param("", "column to predict (default: the last)", kind="text"),
            "task": Param("auto", "auto, regression or classification", kind="text"),
        },
    ),
    "points": DatasetSpec(
        from_points,
        "classification",
        "Points clicked on the plot: rows of [x1, x2, label].",
        {
            "points": Param([], "rows of [x1, x2, label]", kind="points"),
            "task": Param("classification", "classification or regression", kind="text"),
        },
    ),
}


def bound(param: Param, limits: TrainLimits) -> float | None:
    """The upper bound of a dataset option, read from the limits where it names one."""
    if isinstance(param.maximum, str):
        return float(getattr(limits, param.maximum))
    return param.maximum


def make_dataset(name: str, options: dict[str, Any], limits: TrainLimits) -> Dataset:
    """Build the dataset `name` with `options` checked against the catalogue's bounds."""
    spec = DATASETS.get(name)
    if spec is None:
        raise UserError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}",
            ErrorType.DATASET_ERROR,
        )
    unknown = set(options) - set(spec.params)
    if unknown:
        allowed = ", ".join(spec.params) or "none"
        raise UserError(
            f"dataset {name!r} has no option {', '.join(sorted(unknown))} (options: {allowed})",
            ErrorType.DATASET_ERROR,
        )
    kwargs: dict[str, Any] = {}
    for key, param in spec.params.items():
        value = options.get(key, param.default)
        if param.kind in ("int", "float"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise UserError(f"dataset option {key!r} must be a number", ErrorType.DATASET_ERROR)
            if param.kind == "int" and not float(value).is_integer():
                raise UserError(
                    f"dataset option {key!r} must be a whole number", ErrorType.DATASET_ERROR
                )
            lo, hi = param.minimum, bound(param, limits)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise LimitError(f"dataset option {key!r} must be between {lo} and {hi}")
            value = int(value) if param.kind == "int" else float(value)
        elif (
            key == "text" and isinstance(value, str) and len(value.encode()) > limits.max_csv_bytes
        ):
            raise LimitError(f"the CSV is larger than {limits.max_csv_bytes} bytes")
        kwargs[key] = value
    data = spec.make(**kwargs)
    rows, cols = data.x.shape
    if rows > limits.max_samples or cols > limits.max_features:
        raise LimitError(
            f"the dataset has {rows}×{cols} values; the limits are {limits.max_samples} rows "
            f"and {limits.max_features} columns"
        )
    if rows * cols > limits.max_data_elements:
        raise LimitError(f"the dataset has more than {limits.max_data_elements} values")
    if data.n_classes > limits.max_classes:
        raise LimitError(f"the dataset has more than {limits.max_classes} classes")
    return data


# --- features, normalization, split ----------------------------------------------------------

# Derived features (TensorFlow Playground's X1², X2², X1X2, sin X1, sin X2), for any input names.
DERIVED_FEATURES: dict[str, tuple[re.Pattern[str], Callable[..., torch.Tensor]]] = {
    "input": (re.compile(r"^(\w+)$"), lambda a: a),
    "square": (re.compile(r"^(\w+)\^2$"), lambda a: a * a),
    "sin": (re.compile(r"^sin\((\w+)\)$"), torch.sin),
    "product": (re.compile(r"^(\w+)\*(\w+)$"), lambda a, b: a * b),
}


def feature_names(input_names: tuple[str, ...]) -> list[str]:
    """Every feature a dataset offers: its inputs, then squares, products and sines of the first
    two (as TensorFlow Playground offers x1², x2², x1·x2, sin x1, sin x2)."""
    first = input_names[:2]
    out = list(input_names) + [f"{a}^2" for a in first]
    if len(first) == 2:
        out.append(f"{first[0]}*{first[1]}")
    return out + [f"sin({a})" for a in first]


def compute_features(
    x: torch.Tensor, input_names: tuple[str, ...], names: list[str]
) -> torch.Tensor:
    """The columns `names` (inputs or derived features) computed from raw inputs `x` [n, d]."""
    index = {n: i for i, n in enumerate(input_names)}
    columns = []
    for name in names:
        for pattern, fn in DERIVED_FEATURES.values():
            match = pattern.match(name.replace(" ", ""))
            if match and all(arg in index for arg in match.groups()):
                columns.append(fn(*(x[:, index[arg]] for arg in match.groups())))
                break
        else:
            raise UserError(
                f"unknown feature {name!r}; this dataset offers "
                f"{', '.join(feature_names(input_names))}",
                ErrorType.FEATURE_ERROR,
            )
    return torch.stack(columns, 1) if columns else x[:, :0]


@dataclass(frozen=True)
class Normalization:
    """Per-column z-scores from the training split: (x − mean) / std."""

    mean: torch.Tensor  # [d]
    std: torch.Tensor  # [d], 1 where a column is constant

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """Normalize feature columns."""
        return (x - self.mean) / self.std


def fit_normalization(x: torch.Tensor, *, enabled: bool) -> Normalization:
    """Mean and std of each column of the training features (identity when not enabled)."""
    d = x.shape[1]
    if not enabled:
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
    """The points in the data's own units, split, for the page to draw."""
    y = data.y if data.y.dim() == 1 else data.y[:, 0]
    return {
        "input_names": list(data.input_names),
        "target_names": list(data.target_names),
        "task": data.task,
        "n_classes": data.n_classes,
        "features": feature_names(data.input_names),
        "train": {"x": data.x[train_idx].tolist(), "y": y[train_idx].tolist()},
        "val": {"x": data.x[val_idx].tolist(), "y": y[val_idx].tolist()},
        "unknown": data.unknown_x.tolist() if data.unknown_x is not None else [],
    }
