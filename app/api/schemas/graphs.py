"""Schemas of the graph endpoints: evaluate, optimize and the op catalogue."""

from typing import TYPE_CHECKING, Annotated, Literal, Union

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from app.api.schemas.optimizers import Optimizer, OptimizerSettingPublic, default_optimizer

# A number, or nested lists of numbers (a tensor); non-finite numbers spelled "NaN",
# "Infinity", "-Infinity" as everywhere in the API. Strict: true, "1.5" or null are not
# numbers. The depth is bounded by pydantic's recursion guard and then by max_dims.
NonFinite = Literal["NaN", "Infinity", "-Infinity"]
if TYPE_CHECKING:  # mypy reads the core's alias (the same values: int is a float to it)
    from app.graph.inputs import Value
else:  # pydantic builds a recursive schema from a named alias
    Value = TypeAliasType(
        "Value",
        Union[StrictFloat, StrictInt, NonFinite, list["Value"]],  # noqa: UP007
    )
_NUMBER = 'a number (or "NaN", "Infinity", "-Infinity") or nested lists of numbers'


def _first_bad(value: object, at: str = "") -> tuple[str, object] | None:
    """Where in a value the first thing that is not a number or a list is (only on failure)."""
    stack = [(at, value)]
    while stack:
        where, v = stack.pop()
        if isinstance(v, list):
            stack.extend((f"{where}[{k}]", item) for k, item in reversed(list(enumerate(v))))
        elif (
            isinstance(v, bool)
            or not isinstance(v, int | float | str)
            or (isinstance(v, str) and v not in ("NaN", "Infinity", "-Infinity"))
        ):
            return where, v
    return None  # every leaf is a number: the lists are nested too deeply


def _one_clear_error(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """Pydantic's fast check; on failure one error saying where, not one per union member."""
    if isinstance(value, np.ndarray):
        return value  # a big body's tensor, made rectangular and numeric by the body parser
    try:
        return handler(value)
    except ValidationError:
        found = _first_bad(value)
        if found is None:
            raise PydanticCustomError("invalid_value", "is nested too deeply") from None
        where, bad = found
        shown = repr(bad) if len(repr(bad)) <= 40 else repr(bad)[:39] + "…"
        raise PydanticCustomError(
            "invalid_value",
            "must be {expected}, but {where} is {bad}",
            {"expected": _NUMBER, "where": f"element {where}" if where else "it", "bad": shown},
        ) from None


RequestValue = Annotated[Value, WrapValidator(_one_clear_error)]
# One limit as GET /api/v1/limits lists it: its value, its meaning and its section.
LimitPublic = dict[str, int | float | str]


class ProgramBase(BaseModel):
    """What every request about a program carries."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="the program text, statements separated by newlines or ';'")
    values: dict[str, RequestValue] = Field(
        default_factory=dict, description="a value for every input: a number or nested lists"
    )
    dtype: Literal["float32", "float64"] = Field("float32", description="precision")


class NudgeRequest(BaseModel):
    """Move one input by ε and compare the output's actual change with the gradient's forecast."""

    model_config = ConfigDict(extra="forbid")

    input: str = Field(description="the input to nudge")
    epsilon: float = Field(0.001, description="the step added to the input")
    index: list[int] | None = Field(
        None, description="for a tensor input, the element to move; all elements when omitted"
    )


class EvaluateRequest(ProgramBase):
    """Evaluate a program: forward, then backward from `output`."""

    output: str | None = Field(None, description="the name to differentiate; the last by default")
    nudge: NudgeRequest | None = Field(None, description="optional nudge experiment")
    edge_grads: bool = Field(
        True, description="false: skip edges' local_grad and contribution (faster, all null)"
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "d = a - b\nz = 2*d + c",
                    "values": {"a": 3, "b": 1, "c": 0.5},
                    "output": "z",
                    "dtype": "float32",
                    "nudge": {"input": "b", "epsilon": 0.001},
                }
            ]
        },
    )


class NodePublic(BaseModel):
    """One vertex, in forward order."""

    id: str
    kind: Literal["input", "const", "op"]
    op: str | None = Field(description="the op's name in GET /api/v1/ops, null for leaves")
    name: str | None = Field(description="the assigned or input name, if any")
    label: str = Field(description="the source text of the node")
    inputs: list[str] = Field(description="argument node ids, one per use")
    shape: list[int]
    value: Value
    grad: Value = Field(description="∂output/∂node")
    span: list[int] = Field(description="[start, end) character offsets in the source")


class EdgePublic(BaseModel):
    """One use of `source` as an argument of `target`."""

    source: str
    target: str
    argument: int = Field(description="the argument position, 0-based")
    local_grad: float | str | None = Field(description="∂target/∂source when both are scalars")
    contribution: float | str | None = Field(description="upstream gradient × local_grad")


class NudgePublic(BaseModel):
    """The nudge experiment's result (changes of the output's sum for a tensor output)."""

    input: str
    epsilon: float
    index: list[int] | None
    output_before: float | str
    output_after: float | str
    actual_change: float | str
    predicted_change: float | str = Field(description="gradient · ε")


class EvaluateResponse(BaseModel):
    """Every node's value and gradient, every edge's local derivative and contribution."""

    output: str
    dtype: str
    seed: Literal["scalar", "sum"] = Field(
        description="'sum' when the output is a tensor: its gradient is seeded with ones"
    )
    nodes: list[NodePublic]
    edges: list[EdgePublic]
    nudge: NudgePublic | None = None


class OptimizeRequest(ProgramBase):
    """Gradient descent on a program."""

    params: list[str] = Field(description="the inputs to learn")
    objective: str | None = Field(None, description="the name to minimise; the last by default")
    steps: int = Field(100, ge=1, description="number of updates")
    record_every: int = Field(1, ge=1, description="history keeps step 1, every k-th and last")
    optimizer: Optimizer = Field(
        default_factory=default_optimizer,
        description="a torch.optim optimizer by name with its settings; default sgd at lr 0.01",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "t_p = w*t_u + b\nloss = mean((t_p - t_c)**2)",
                    "values": {
                        "w": 1.0,
                        "b": 0.0,
                        "t_u": [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4],
                        "t_c": [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0],
                    },
                    "params": ["w", "b"],
                    "objective": "loss",
                    "steps": 5000,
                    "record_every": 500,
                    "optimizer": {"name": "sgd", "lr": 0.0001},
                }
            ]
        },
    )


class HistoryEntry(BaseModel):
    """One recorded step: the objective before that step's update."""

    step: int
    loss: float | str
    grad_norm: float | str = Field(description="Euclidean norm of all parameters' gradients")
    params: dict[str, Value] | None = Field(
        None, description="parameter values at that step, while they are small"
    )


class OptimizeResponse(BaseModel):
    """The outcome of gradient descent."""

    status: Literal["finished", "diverged", "stopped"] = Field(
        description="'diverged': the objective stopped being finite; 'stopped': time limit"
    )
    steps_run: int = Field(description="updates applied")
    loss: float | str = Field(description="the objective after the last update")
    params: dict[str, Value]
    history: list[HistoryEntry]
    reason: str | None = None


class OpPublic(BaseModel):
    """One entry of the op table."""

    name: str
    symbol: str
    callable: bool = Field(description="true for functions written name(args)")
    min_args: int
    max_args: int
    rule: str = Field(description="the derivative rule in words")
    doc: str


class OpsResponse(BaseModel):
    """The language's operators and functions, the optimizers and the limits."""

    model_config = ConfigDict(ser_json_inf_nan="strings")  # "NaN", "Infinity": strict JSON

    ops: list[OpPublic]
    optimizers: dict[str, str] = Field(description="optimizer name → what it is")
    optimizer_settings: dict[str, dict[str, OptimizerSettingPublic]] = Field(
        description="optimizer name → its settings with torch's defaults and their bounds"
    )
    limits: dict[str, LimitPublic]
