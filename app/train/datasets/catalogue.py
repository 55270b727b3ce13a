"""The one table of datasets: each public name with its maker, task, options and their bounds;
`make_dataset` checks the options, and the size they ask for, before building anything."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from app.errors import ErrorType, LimitError, UserError
from app.settings import TrainLimits
from app.train.datasets import course, generators, uploads
from app.train.datasets.dataset import Dataset, Task


@dataclass(frozen=True)
class Param:
    """One option of a dataset generator: its default, bounds and meaning (the request schema
    of app/api/schemas/datasets.py is built from these)."""

    default: Any
    doc: str
    minimum: float | None = None
    # A number, or the name of the TrainLimits field: the largest value of a number, the most
    # characters of a text, the most rows of points.
    maximum: float | str | None = None
    kind: Literal["int", "float", "text", "choice", "points"] = "float"
    choices: tuple[str, ...] = ()  # the values a "choice" option takes


Size = Callable[[dict[str, Any]], tuple[int, int]]  # options → (rows, input columns) to build


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset in the catalogue."""

    make: Callable[..., Dataset]
    task: Task
    doc: str
    params: dict[str, Param] = field(default_factory=dict)
    size: Size | None = None  # the size the options ask for, known before building
    reads_limits: bool = False  # the maker takes `limits` and stops reading when one is passed


N_SAMPLES = Param(200, "number of points", 1, "max_samples", "int")
NOISE = Param(0.1, "standard deviation of Gaussian noise added to each point", 0, 5)
SEED = Param(0, "seed of the random generator: same seed, same points", 0, 2**31 - 1, "int")
CLOUD = {"n_samples": N_SAMPLES, "noise": NOISE, "seed": SEED}
TASKS: dict[str, Any] = {"kind": "choice", "choices": ("auto", "regression", "classification")}


def _plane_of(columns: int) -> Size:
    return lambda options: (options["n_samples"], columns)


def _cloud(make: Callable[..., Dataset], task: Task, columns: int = 2) -> DatasetSpec:
    return DatasetSpec(make, task, make.__doc__ or "", CLOUD, _plane_of(columns))


DATASETS: dict[str, DatasetSpec] = {
    "thermometer": DatasetSpec(course.thermometer, "regression", course.thermometer.__doc__ or ""),
    "table": DatasetSpec(course.table_x1x2y, "regression", course.table_x1x2y.__doc__ or ""),
    "go_out": DatasetSpec(course.go_out, "classification", course.go_out.__doc__ or ""),
    "random_regression": DatasetSpec(
        course.random_regression,
        "regression",
        course.random_regression.__doc__ or "",
        {
            "n_samples": Param(64, "N, the number of rows", 1, "max_samples", "int"),
            "d_in": Param(1000, "D_in, input columns", 1, "max_features", "int"),
            "d_out": Param(10, "D_out, target columns", 1, 100, "int"),
            "seed": Param(42, "np.random.seed of the notebook", 0, 2**31 - 1, "int"),
        },
        lambda options: (options["n_samples"], options["d_in"]),
    ),
    "circle": _cloud(generators.circle, "classification"),
    "xor": _cloud(generators.xor, "classification"),
    "gauss": _cloud(generators.gauss, "classification"),
    "spiral": _cloud(generators.spiral, "classification"),
    "moons": _cloud(generators.moons, "classification"),
    "blobs": DatasetSpec(
        generators.blobs,
        "classification",
        generators.blobs.__doc__ or "",
        {**CLOUD, "n_classes": Param(3, "number of classes", 2, "max_classes", "int")},
        _plane_of(2),
    ),
    "sine": _cloud(generators.sine, "regression", columns=1),
    "plane": _cloud(generators.plane, "regression"),
    "bumps": _cloud(generators.bumps, "regression"),
    "csv": DatasetSpec(
        uploads.from_csv,
        "regression",
        "Your own CSV text (classification when the target holds a few whole numbers).",
        {
            "text": Param(
                "", "the CSV: a header row, then numbers", maximum="max_csv_bytes", kind="text"
            ),
            "target": Param(
                "", "column to predict (default: the last)", maximum="max_csv_bytes", kind="text"
            ),
            "task": Param("auto", "auto, regression or classification", **TASKS),
        },
        reads_limits=True,
    ),
    "points": DatasetSpec(
        uploads.from_points,
        "classification",
        "Points clicked on the plot: rows of [x1, x2, label].",
        {
            "points": Param([], "rows of [x1, x2, label]", maximum="max_samples", kind="points"),
            "task": Param("classification", "classification or regression", **TASKS),
        },
        reads_limits=True,
    ),
}


def bound(param: Param, limits: TrainLimits) -> float | None:
    """The upper bound of a dataset option, read from the limits where it names one."""
    if isinstance(param.maximum, str):
        return float(getattr(limits, param.maximum))
    return param.maximum


def _checked(key: str, param: Param, value: Any, limits: TrainLimits) -> Any:
    """One option's value, checked against its kind and bounds."""
    if param.kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(f"dataset option {key!r} must be a number", ErrorType.DATASET_ERROR)
        if not math.isfinite(value):  # NaN would slip through every comparison below
            raise UserError(
                f"dataset option {key!r} must be a finite number", ErrorType.DATASET_ERROR
            )
        if param.kind == "int" and not float(value).is_integer():
            raise UserError(
                f"dataset option {key!r} must be a whole number", ErrorType.DATASET_ERROR
            )
        lo, hi = param.minimum, bound(param, limits)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise LimitError(f"dataset option {key!r} must be between {lo} and {hi}")
        return int(value) if param.kind == "int" else float(value)
    if param.kind in ("text", "choice") and not isinstance(value, str):
        raise UserError(f"dataset option {key!r} must be text", ErrorType.DATASET_ERROR)
    if param.kind == "choice" and value not in param.choices:
        raise UserError(
            f"dataset option {key!r} is {value[:40]!r}; choose one of {', '.join(param.choices)}",
            ErrorType.DATASET_ERROR,
        )
    if key == "text" and len(value.encode()) > limits.max_csv_bytes:
        raise LimitError(f"the CSV is larger than {limits.max_csv_bytes} bytes")
    return value


def check_size(rows: int, columns: int, n_classes: int, limits: TrainLimits) -> None:
    """Refuse a dataset of rows × input columns (and classes) beyond the limits."""
    if rows > limits.max_samples or columns > limits.max_features:
        raise LimitError(
            f"the dataset has {rows}×{columns} values; the limits are {limits.max_samples} rows "
            f"and {limits.max_features} columns"
        )
    if rows * columns > limits.max_data_elements:
        raise LimitError(
            f"the dataset has {rows}×{columns} = {rows * columns} values; the limit is "
            f"{limits.max_data_elements}"
        )
    if n_classes > limits.max_classes:
        raise LimitError(f"the dataset has more than {limits.max_classes} classes")


def make_dataset(name: str, options: dict[str, Any], limits: TrainLimits) -> Dataset:
    """Build the dataset `name` with `options` checked against the catalogue's bounds, and the
    size they ask for checked against the limits before any point is made."""
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
    kwargs = {
        key: _checked(key, param, options.get(key, param.default), limits)
        for key, param in spec.params.items()
    }
    if spec.size is not None:
        check_size(*spec.size(kwargs), kwargs.get("n_classes", 0), limits)
    data = spec.make(**kwargs, limits=limits) if spec.reads_limits else spec.make(**kwargs)
    rows, columns = data.x.shape
    check_size(rows, columns, data.n_classes, limits)  # what was built (the fixed sets too)
    return data
