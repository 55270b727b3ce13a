"""A request's values → the program's input tensors, and the program's output: checked
against the program and the limits, with a sentence a student understands when they don't fit."""

import math
from collections.abc import Mapping
from typing import Literal, TypeAlias

import numpy as np
import torch

from app.errors import ErrorType, LimitError, UserError
from app.graph.limits import Limits
from app.graph.program import Program

Tensor = torch.Tensor
DTYPES = {"float32": torch.float32, "float64": torch.float64}
DType = Literal["float32", "float64"]
_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
# A request value: a number (non-finite ones spelled "NaN", "Infinity", "-Infinity") or nested
# lists of them, as the API's schema has already typed it; a big body's lists arrive from the
# body parser process as float64 arrays (app/api/body_parse.py), already rectangular.
Value: TypeAlias = "float | str | list[Value] | np.ndarray"
Nested: TypeAlias = "float | list[Nested]"
Shape = tuple[int, ...]


def _decode(value: Value) -> Nested:
    """JSON value → nested floats; "NaN", "Infinity", "-Infinity" strings become floats."""
    if isinstance(value, np.ndarray):
        return value.tolist()  # type: ignore[no-any-return]
    if isinstance(value, str):
        if value in _NONFINITE:
            return _NONFINITE[value]
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def value_shape(name: str, value: Value, limits: Limits) -> Shape:
    """The shape a request value will have as a tensor, read off its nested lists (the first
    element at each depth) before any tensor is made; torch checks that the rows agree."""
    shape: list[int] = list(value.shape) if isinstance(value, np.ndarray) else []
    if len(shape) > limits.max_dims:
        raise LimitError(f"the value of {name} has more than {limits.max_dims} dimensions")
    while isinstance(value, list):
        shape.append(len(value))
        if len(shape) > limits.max_dims:
            raise LimitError(f"the value of {name} has more than {limits.max_dims} dimensions")
        if not value:
            break
        value = value[0]
    numel = math.prod(shape)
    if numel > limits.max_tensor_elements:
        raise LimitError(
            f"the value of {name} has {numel} elements; the limit is {limits.max_tensor_elements}"
        )
    return tuple(shape)


def input_tensor(name: str, value: Value, dtype: DType, limits: Limits) -> Tensor:
    """Turn a request value (number or nested lists) into a tensor, or explain why not."""
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        raise UserError(
            f"the value of {name} must be a number or nested lists of numbers.",
            ErrorType.INVALID_VALUE,
        )
    try:
        if isinstance(value, float | int):
            return torch.tensor(float(value), dtype=DTYPES[dtype])
        if isinstance(value, np.ndarray):
            tensor = torch.from_numpy(value).to(DTYPES[dtype])
        else:
            tensor = torch.tensor(_decode(value), dtype=DTYPES[dtype])
    except (ValueError, TypeError, RuntimeError, OverflowError) as exc:
        raise UserError(
            f"the value of {name} is not a tensor: {exc}. Rows of a matrix must have equal "
            "lengths and contain only numbers.",
            ErrorType.INVALID_VALUE,
        ) from None
    except RecursionError:
        raise LimitError(f"the value of {name} is nested too deeply") from None
    if tensor.dim() > limits.max_dims:
        raise LimitError(
            f"the value of {name} has {tensor.dim()} dimensions; the limit is {limits.max_dims}"
        )
    if tensor.numel() > limits.max_tensor_elements:
        raise LimitError(
            f"the value of {name} has {tensor.numel()} elements; the limit is "
            f"{limits.max_tensor_elements}"
        )
    if tensor.numel() == 0:
        raise UserError(f"the value of {name} is empty.", ErrorType.INVALID_VALUE)
    return tensor


def check_names(program: Program, values: Mapping[str, Value]) -> None:
    """Check that the values name exactly the program's inputs."""
    missing = [n for n in program.inputs if n not in values]
    if missing:
        raise UserError(
            f"no value given for input{'s' if len(missing) > 1 else ''} {', '.join(missing)}.",
            ErrorType.MISSING_VALUE,
            names=missing,
        )
    extra = [n for n in values if n not in program.inputs]
    if extra:
        assigned = [n for n in extra if n in program.names]
        why = (
            f"{assigned[0]} is computed by the program, so it can't be given a value."
            if assigned
            else f"the program has no input named {extra[0]}."
        )
        raise UserError(why, ErrorType.UNKNOWN_VALUE, names=extra)


def value_shapes(program: Program, values: Mapping[str, Value], limits: Limits) -> dict[str, Shape]:
    """Every input's shape from its value, within the limits, before any tensor is made."""
    check_names(program, values)
    shapes = {name: value_shape(name, values[name], limits) for name in program.inputs}
    total = sum(math.prod(s) for s in shapes.values())
    if total > limits.max_total_elements:
        raise LimitError(
            f"the input values have {total} elements; the limit is {limits.max_total_elements}"
        )
    return shapes


def make_inputs(
    program: Program,
    values: Mapping[str, Value],
    shapes: dict[str, Shape],
    *,
    dtype: DType,
    limits: Limits,
) -> dict[str, Tensor]:
    """The input tensors, each of the shape `value_shapes` read (or an error naming it)."""
    tensors = {name: input_tensor(name, values[name], dtype, limits) for name in program.inputs}
    for name, tensor in tensors.items():
        if tuple(tensor.shape) != shapes[name]:  # torch read the lists otherwise: say so
            raise UserError(
                f"the value of {name} is not a tensor: its rows have different lengths.",
                ErrorType.INVALID_VALUE,
            )
    return tensors


def prepare_inputs(
    program: Program, values: Mapping[str, Value], *, dtype: DType, limits: Limits
) -> dict[str, Tensor]:
    """Check that the values match the program's inputs and turn them into tensors."""
    shapes = value_shapes(program, values, limits)
    return make_inputs(program, values, shapes, dtype=dtype, limits=limits)


def resolve_output(program: Program, output: str | None) -> str:
    """The output's node id: the named node, or the last assigned name by default."""
    if output is None:
        output = program.default_output
        if output is None:
            raise UserError(
                "the program is empty: write a statement such as z = 2*(a - b) + c.",
                ErrorType.EMPTY_PROGRAM,
            )
    if output not in program.names:
        raise UserError(
            f"the program has no name {output} to use as the output.",
            ErrorType.UNKNOWN_OUTPUT,
            names=[output],
        )
    return program.names[output]
