"""A request's values → the program's input tensors, and the program's output: checked
against the program and the limits, with a sentence a student understands when they don't fit."""

import math
from typing import Any, Literal

import torch

from app.errors import ErrorType, LimitError, UserError
from app.graph.limits import Limits
from app.graph.program import Program

Tensor = torch.Tensor
DTYPES = {"float32": torch.float32, "float64": torch.float64}
DType = Literal["float32", "float64"]
_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _decode(value: Any) -> Any:
    """JSON value → nested floats; "NaN", "Infinity", "-Infinity" strings become floats."""
    if isinstance(value, str):
        if value in _NONFINITE:
            return _NONFINITE[value]
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def input_tensor(name: str, value: Any, dtype: DType, limits: Limits) -> Tensor:
    """Turn a request value (number or nested lists) into a tensor, or explain why not."""
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        raise UserError(
            f"the value of {name} must be a number or nested lists of numbers.",
            ErrorType.INVALID_VALUE,
        )
    try:
        if isinstance(value, float | int):
            return torch.tensor(float(value), dtype=DTYPES[dtype])
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


def prepare_inputs(
    program: Program, values: dict[str, Any], *, dtype: DType, limits: Limits
) -> dict[str, Tensor]:
    """Check that the values match the program's inputs and turn them into tensors."""
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
    tensors = {name: input_tensor(name, values[name], dtype, limits) for name in program.inputs}
    total = sum(t.numel() for t in tensors.values())
    if total > limits.max_total_elements:
        raise LimitError(
            f"the input values have {total} elements; the limit is {limits.max_total_elements}"
        )
    return tensors


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
