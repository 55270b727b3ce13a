"""Your own data: CSV text (a header row, then numbers) and points clicked on the plot.

A CSV is read as a stream of records, so blank lines cost one cheap test each and a limit stops
the reading as soon as it is passed; each bad row is named by its line number (1-based), the
first `MAX_LISTED_ROWS` of them in the answer.
"""

import csv
import io
import math
from collections.abc import Iterator
from typing import Any

import torch

from app.errors import ErrorType, LimitError, UserError
from app.settings import TrainLimits
from app.train.datasets.dataset import Dataset, Task

UNKNOWN_MARKS = {"", "?", "na", "nan"}  # a target cell that marks a row to predict
FLOAT32_MAX = 3.4028234663852886e38  # larger values would train as infinity
MAX_LISTED_ROWS = 20  # bad rows listed in an error answer (the count says how many in all)
MAX_LISTED_COLUMNS = 20  # column names listed in a message
MAX_SHOWN_CELL = 40  # characters of a bad cell quoted in a message
MAX_AUTO_CLASSES = 10  # task auto: at most this many whole-number labels is a classification


class CSVError(UserError):
    """A CSV that cannot be read, with one message per bad row (line numbers are 1-based)."""

    def __init__(self, message: str, rows: list[dict[str, object]], bad_rows: int = 0) -> None:
        super().__init__(message, ErrorType.CSV_ERROR)
        self.rows = rows[:MAX_LISTED_ROWS]  # the first bad rows
        self.bad_rows = max(bad_rows, len(rows))  # how many rows were bad in all

    def as_dict(self) -> dict[str, object]:
        """The error object, with the first per-row problems under `rows` and their count."""
        return {**super().as_dict(), "rows": self.rows, "bad_rows": self.bad_rows}


def _clipped(raw: str) -> str:
    return raw if len(raw) <= MAX_SHOWN_CELL else raw[:MAX_SHOWN_CELL] + "…"


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank record; any line end (\\n, \\r\\n, \\r) works."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1  # the line a record starts on (a quoted cell may span lines)
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise CSVError(f"the CSV can't be read at line {reader.line_num}: {exc}", []) from None


def _header(cells: list[str], target: str, limits: TrainLimits | None) -> tuple[list[str], int]:
    header = [h.strip() for h in cells]
    if header:
        header[0] = header[0].removeprefix("\ufeff").strip()  # a byte-order mark
    if len(header) < 2:
        raise CSVError("the CSV needs at least two columns: inputs and a target", [])
    if not all(header) or len(set(header)) != len(header):
        raise CSVError("every column needs a distinct, non-empty name in the header", [])
    if target and target not in header:
        listed = [_clipped(h) for h in header[:MAX_LISTED_COLUMNS]]
        more = f" and {len(header) - len(listed)} more" if len(header) > len(listed) else ""
        raise CSVError(
            f"there is no column named {_clipped(target)!r}; the columns are {listed}{more}", []
        )
    if limits is not None and len(header) - 1 > limits.max_features:
        raise LimitError(
            f"the CSV has {len(header) - 1} input columns; the limit is {limits.max_features}"
        )
    return header, header.index(target) if target else len(header) - 1


def _row(cells: list[str], header: list[str], column: int) -> tuple[list[float] | None, str]:
    """The row's numbers (the target NaN when it is to predict), or None and the problem."""
    if len(cells) != len(header):
        return None, f"{len(cells)} values, the header has {len(header)}"
    row: list[float] = []
    for i, (name, cell) in enumerate(zip(header, cells, strict=True)):
        raw = cell.strip()
        if i == column and raw.lower() in UNKNOWN_MARKS:
            row.append(math.nan)
            continue
        try:
            value = float(raw)
        except ValueError:
            return None, f"column {name!r} is {_clipped(raw)!r}, not a number"
        if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
            return None, f"column {name!r} is {_clipped(raw)}, not a finite number"
        row.append(value)
    return row, ""


def _infer_task(
    labels: list[float], task: str, limits: TrainLimits | None, *, one_class_ok: bool
) -> tuple[Task, int]:
    distinct = set(labels)
    integral = all(v.is_integer() and v >= 0 for v in labels)
    few = len(distinct) <= MAX_AUTO_CLASSES
    if task == "regression" or (task == "auto" and not (integral and few)):
        return "regression", 0
    if not integral:
        raise UserError("class labels must be whole numbers 0, 1, 2, …", ErrorType.CSV_ERROR)
    n_classes = int(max(distinct)) + 1
    if one_class_ok:
        n_classes = max(n_classes, 2)  # class 0 of a two-class problem, the other yet to come
    if n_classes < 2:
        raise CSVError(
            "the target holds only class 0: a classifier needs at least two classes "
            "(choose task regression to fit it as a number)",
            [],
        )
    if limits is not None and n_classes > limits.max_classes:
        raise LimitError(f"the dataset has more than {limits.max_classes} classes")
    return "classification", n_classes


def _row_limit(n_inputs: int, limits: TrainLimits | None) -> tuple[float, str]:
    """The most rows of `n_inputs` columns the limits allow, and the sentence for more."""
    if limits is None:
        return math.inf, ""
    rows = min(limits.max_samples, limits.max_data_elements // n_inputs)
    return rows, (
        f"the CSV has more than {rows} rows of {n_inputs} inputs; the limits are "
        f"{limits.max_samples} rows and {limits.max_data_elements} values"
    )


def from_csv(
    *,
    text: str,
    target: str = "",
    task: str = "auto",
    limits: TrainLimits | None = None,
    one_class_ok: bool = False,
) -> Dataset:
    """Parse CSV text: a header row, numbers only; `target` names the column to predict (default:
    the last one); a target of '?' or empty marks a row to predict. With `limits`, the reading
    stops as soon as the data passes one. A target of class 0 only is refused (a classifier
    needs two classes) unless `one_class_ok`: then it is class 0 of two."""
    if task not in ("auto", "regression", "classification"):
        raise CSVError(f"task is {task!r}; choose auto, regression or classification", [])
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise CSVError("the CSV needs a header row and at least one row of numbers", [])
    header, column = _header(first[1], target, limits)
    max_rows, too_many = _row_limit(len(header) - 1, limits)
    problems: list[dict[str, object]] = []
    n_bad = 0
    known: list[list[float]] = []
    unknown: list[list[float]] = []
    for line, cells in records:
        row, problem = _row(cells, header, column)
        if row is None:
            n_bad += 1
            if len(problems) < MAX_LISTED_ROWS:
                problems.append({"line": line, "message": problem})
            continue
        (unknown if math.isnan(row[column]) else known).append(row)
        if len(known) + len(unknown) > max_rows:
            raise LimitError(too_many)
    if n_bad:
        shown = "; ".join(f"line {p['line']}: {p['message']}" for p in problems[:5])
        more = f" (and {n_bad - 5} more)" if n_bad > 5 else ""
        raise CSVError(f"{n_bad} bad rows in the CSV: {shown}{more}", problems, n_bad)
    if not known and not unknown:
        raise CSVError("the CSV needs a header row and at least one row of numbers", [])
    if not known:
        raise CSVError("the CSV has no row with a known target", [])
    labels = [r[column] for r in known]
    kind, n_classes = _infer_task(labels, task, limits, one_class_ok=one_class_ok)
    data = torch.tensor(known, dtype=torch.float32)
    inputs = [i for i in range(len(header)) if i != column]
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


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def from_points(
    *, points: list[list[float]], task: str = "classification", limits: TrainLimits | None = None
) -> Dataset:
    """Points clicked on the plot: rows of [x1, x2, label]; while only class 0 has been clicked,
    they are class 0 of a two-class problem (the page draws them before the other class)."""
    if not isinstance(points, list) or not points:
        raise UserError("add at least one point", ErrorType.DATASET_ERROR)
    if limits is not None and len(points) > limits.max_samples:
        raise LimitError(f"there are more than {limits.max_samples} points")
    if any(not isinstance(p, list) or len(p) != 3 or not all(map(_number, p)) for p in points):
        raise UserError("each point is [x1, x2, label], three numbers", ErrorType.DATASET_ERROR)
    text = "x1,x2,y\n" + "\n".join(",".join(repr(float(v)) for v in p) for p in points)
    return from_csv(text=text, task=task, limits=limits, one_class_ok=True)
