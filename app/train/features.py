"""Features: the columns a model reads, each an input column or an op applied to input columns.

A feature in a run request is one of
- a string: an input column's name, looked up exactly first (so a CSV column may be called
  `temp (F)`, `t-u` or `a*b`); only when no column has that name, a legacy spelling of a derived
  feature: `x1^2`, `x1*x2`, `sin(x1)`;
- an object `{"op": "square", "of": "x1"}` or `{"op": "product", "of": ["x1", "x2"]}`, with `op`
  a name of `FEATURE_OPS` and `of` the input column(s) it reads.

`FEATURE_OPS` is the one table of ops (after TensorFlow Playground's X1², X1X2, sin X1): adding a
derived feature is one entry, and the schema, the catalogue, the page's options and the tests read
it.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from app.errors import ErrorType, LimitError, UserError
from app.settings import TrainLimits


@dataclass(frozen=True)
class FeatureOp:
    """One way to make a feature column from input columns."""

    fn: Callable[..., torch.Tensor]  # the input columns ([n] each) to the feature column [n]
    arity: int  # how many input columns it reads
    label: str  # how the page shows it, a format over the columns: "{0}²"
    spelling: str  # the legacy string spelling, a format over the columns: "{0}^2"
    doc: str


FEATURE_OPS: dict[str, FeatureOp] = {
    "input": FeatureOp(lambda a: a, 1, "{0}", "{0}", "the input column itself"),
    "square": FeatureOp(lambda a: a * a, 1, "{0}²", "{0}^2", "the column squared"),
    "product": FeatureOp(lambda a, b: a * b, 2, "{0}·{1}", "{0}*{1}", "two columns multiplied"),
    "sin": FeatureOp(torch.sin, 1, "sin {0}", "sin({0})", "the sine of the column (radians)"),
}
MAX_SHOWN_NAME = 60  # characters of a name quoted in a message
LISTED_COLUMNS = 20  # columns named in an error's message (all are under `columns`)
OFFERED_INPUTS = 2  # derived features are offered on the first this-many inputs (as the Playground)


class FeatureLike(Protocol):
    """An object with `op` and `of` (as the API's FeatureSpec), read like the JSON object."""

    @property
    def op(self) -> str: ...

    @property
    def of(self) -> str | list[str]: ...


FeatureRequest = str | Mapping[str, Any] | FeatureLike  # one feature as a run request gives it
Features = Sequence[FeatureRequest]  # a run's features, as given (and echoed back)


@dataclass(frozen=True)
class Feature:
    """A feature resolved against a dataset's columns: an op and the exact columns it reads."""

    op: str  # a key of FEATURE_OPS
    of: tuple[str, ...]  # input column names, as many as the op's arity

    @property
    def label(self) -> str:
        """How the page shows it: x1², x1·x2, sin x1."""
        return FEATURE_OPS[self.op].label.format(*self.of)

    @property
    def spelling(self) -> str:
        """The legacy string: x1^2, x1*x2, sin(x1) (the column's own name for an input)."""
        return FEATURE_OPS[self.op].spelling.format(*self.of)

    def request_value(self) -> str | dict[str, Any]:
        """The value a run request gives for it: the column name, or the unambiguous object."""
        if self.op == "input":
            return self.of[0]
        return {"op": self.op, "of": self.of[0] if len(self.of) == 1 else list(self.of)}

    def compute(self, x: torch.Tensor, index: Mapping[str, int]) -> torch.Tensor:
        """The feature column [n] from the raw inputs x [n, d]."""
        return FEATURE_OPS[self.op].fn(*(x[:, index[name]] for name in self.of))


class FeatureError(UserError):
    """A feature the dataset can't make; the answer names the dataset's columns under `columns`
    (and the unknown name under `names`, when a name is the problem)."""

    def __init__(self, message: str, input_names: Sequence[str], name: str | None = None) -> None:
        listed = ", ".join(repr(_clipped(n)) for n in input_names[:LISTED_COLUMNS])
        if len(input_names) > LISTED_COLUMNS:
            listed += f" and {len(input_names) - LISTED_COLUMNS} more"
        super().__init__(
            f"{message}; the dataset's columns are {listed}",
            ErrorType.FEATURE_ERROR,
            names=None if name is None else [name],
        )
        self.columns = list(input_names)

    def as_dict(self) -> dict[str, object]:
        """The error object, with the dataset's columns."""
        return {**super().as_dict(), "columns": self.columns}


def _clipped(name: str) -> str:
    return name if len(name) <= MAX_SHOWN_NAME else name[:MAX_SHOWN_NAME] + "…"


def _legacy(text: str, columns: Mapping[str, int]) -> Feature | None:
    """The derived feature a legacy spelling names (x1^2, x1*x2, sin(x1)) if its columns exist.

    Each op's spelling is a prefix, the columns joined by separators, and a suffix; the middle is
    cut only where a column name ends, so `a*b*c` is found for columns `a*b` and `c`."""
    lengths = sorted({len(name) for name in columns})
    for name, op in FEATURE_OPS.items():
        head, *rest = op.spelling.split("{")
        separators = [part.split("}", 1)[1] for part in rest]
        tail = separators.pop()
        if len(text) < len(head) + len(tail) or not (text.startswith(head) and text.endswith(tail)):
            continue
        of = _columns_in(text[len(head) : len(text) - len(tail)], separators, columns, lengths)
        if of is not None:
            return Feature(name, of)
    return None


def _columns_in(
    text: str, separators: list[str], columns: Mapping[str, int], lengths: list[int]
) -> tuple[str, ...] | None:
    """`text` as column names joined by `separators` in turn, or None. Cuts are tried only at
    the lengths of column names, so the work is bounded by the header, not by `text`."""
    if not separators:
        return (text,) if text in columns else None
    sep = separators[0]
    for n in lengths:
        if text.startswith(sep, n) and text[:n] in columns:
            rest = _columns_in(text[n + len(sep) :], separators[1:], columns, lengths)
            if rest is not None:
                return (text[:n], *rest)
    return None


def resolve_feature(value: FeatureRequest, input_names: Sequence[str]) -> Feature:
    """The feature a request value names, checked against the dataset's input columns."""
    columns = {name: i for i, name in enumerate(input_names)}
    if isinstance(value, str):
        if value in columns:  # an exact column name wins over any spelling
            return Feature("input", (value,))
        found = _legacy(value, columns) or _legacy(value.replace(" ", ""), columns)
        if found is None:
            raise FeatureError(
                f"unknown feature {_clipped(value)!r}: no column or derived feature has that name",
                input_names,
                _clipped(value),
            )
        return found
    if isinstance(value, Mapping):
        op, of = value.get("op"), value.get("of")
        if set(value) != {"op", "of"}:
            keys = ", ".join(sorted(map(str, value)))
            raise FeatureError(f"a feature object has keys op and of, not {keys}", input_names)
    else:
        op, of = value.op, value.of
    if not isinstance(op, str) or op not in FEATURE_OPS:
        raise FeatureError(
            f"unknown feature op {op!r}; choose one of {', '.join(FEATURE_OPS)}", input_names
        )
    names = (of,) if isinstance(of, str) else tuple(of) if isinstance(of, list | tuple) else ()
    arity = FEATURE_OPS[op].arity
    if len(names) != arity or not all(isinstance(n, str) for n in names):
        raise FeatureError(f"the op {op!r} reads {arity} column name(s), not {of!r}", input_names)
    for name in names:
        if name not in columns:
            raise FeatureError(
                f"unknown feature column {name!r}: there is no column of that name",
                input_names,
                name,
            )
    return Feature(op, names)


def offered_features(input_names: Sequence[str]) -> list[Feature]:
    """Every feature a dataset offers, in the order the page shows them: its inputs, then each
    derived op on the first two inputs (x1², x2², x1·x2, sin x1, sin x2)."""
    first = tuple(input_names[:OFFERED_INPUTS])
    out = [Feature("input", (name,)) for name in input_names]
    for name, op in FEATURE_OPS.items():
        if name == "input":
            continue
        if op.arity == 1:
            out += [Feature(name, (a,)) for a in first]
        elif op.arity == 2 and len(first) == 2:
            out.append(Feature(name, first))
    return out


def feature_names(input_names: Sequence[str]) -> list[str]:
    """Every feature a dataset offers, as legacy strings: x1, x2, x1^2, x2^2, x1*x2, sin(x1), …"""
    return [f.spelling for f in offered_features(input_names)]


def feature_options(input_names: Sequence[str]) -> list[dict[str, Any]]:
    """Every feature a dataset offers as the page lists it: a label and the request value."""
    return [{"label": f.label, "value": f.request_value()} for f in offered_features(input_names)]


def compute_features(
    x: torch.Tensor,
    input_names: Sequence[str],
    names: Sequence[FeatureRequest],
    *,
    limits: TrainLimits | None = None,
) -> torch.Tensor:
    """The feature columns `names` (column names, legacy strings or {op, of} objects) computed
    from the raw inputs x [n, d]; with `limits`, their number and size are checked first."""
    if limits is not None:
        check_feature_count(len(names), rows=len(x), limits=limits)
    index = {name: i for i, name in enumerate(input_names)}
    features = [resolve_feature(value, input_names) for value in names]
    columns = [feature.compute(x, index) for feature in features]
    return torch.stack(columns, 1) if columns else x[:, :0]


def check_feature_count(count: int, *, rows: int, limits: TrainLimits) -> None:
    """Refuse more feature columns than max_features, or rows × features past max_data_elements."""
    if count > limits.max_features:
        raise LimitError(f"{count} features; the limit is {limits.max_features}")
    if rows * count > limits.max_data_elements:
        raise LimitError(
            f"{rows} rows × {count} features = {rows * count} values; the limit is "
            f"{limits.max_data_elements}"
        )
