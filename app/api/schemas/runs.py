"""Schemas of the training-run endpoints (every number says its unit or meaning); the dataset
choice is in datasets.py, the event stream's documentation in events.py."""

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from app.api.schemas.datasets import (
    LIMITS,
    DatasetChoice,
    FeatureValue,
    FiniteFloat,
    at_most,
    by_json_type,
    count_at_most,
)
from app.api.schemas.optimizers import LearningRate, Optimizer, OptimizerPatch, default_optimizer
from app.errors import ErrorType
from app.train.features import FEATURE_OPS

NAME_CHARS = 40  # characters of a vocabulary name (activation, output, loss); the longest is 15

# A name of a vocabulary table; the core says which names there are (model_error, loss_error).
VocabularyName = Annotated[str, Field(strict=True, max_length=NAME_CHARS)]

# init's names: w and b for a one-layer model, else layerN.weight and layerN.bias (N from 1).
INIT_NAME = re.compile(r"w|b|layer[1-9][0-9]{0,2}\.(weight|bias)")


def _init_name(name: str) -> str:
    if not INIT_NAME.fullmatch(name):
        raise PydanticCustomError(
            "init_name",
            "init names a parameter: w and b (one layer), or layerN.weight and layerN.bias",
        )
    return name


def _init_size(init: Any) -> Any:
    """At most max_parameters numbers in all, counted before any is validated (two levels:
    a weight's rows; anything deeper is refused by the types after)."""
    if not isinstance(init, dict):
        return init
    count = 0
    for value in init.values():
        rows = value if isinstance(value, list) else [value]
        count += sum(len(row) if isinstance(row, list) else 1 for row in rows)
        if count > LIMITS.max_parameters:
            raise PydanticCustomError(
                ErrorType.LIMIT_EXCEEDED.value,
                "more than {maximum} numbers; the limit is max_parameters",
                {"maximum": LIMITS.max_parameters},
            )
    return init


def _rectangular(rows: list[list[float]]) -> list[list[float]]:
    if len({len(row) for row in rows}) > 1:
        raise PydanticCustomError("init_shape", "every row of a weight has the same length")
    return rows


InitVector = Annotated[list[FiniteFloat], count_at_most("max_parameters", "numbers")]
InitMatrix = Annotated[
    list[InitVector], count_at_most("max_parameters", "rows"), AfterValidator(_rectangular)
]
_INIT_SHAPES: dict[str, TypeAdapter[Any]] = {
    "number": TypeAdapter(FiniteFloat),
    "vector": TypeAdapter(InitVector),
    "matrix": TypeAdapter(InitMatrix),
}


def _init_value(value: Any, _: ValidatorFunctionWrapHandler) -> Any:
    """A number, a vector or a matrix (rows of numbers), picked by the JSON shape so the error
    speaks of that shape only (`model.init.w.0.1`)."""
    shape = "number"
    if isinstance(value, list):
        shape = "matrix" if value and isinstance(value[0], list) else "vector"
    return _INIT_SHAPES[shape].validate_python(value)


# A parameter's starting value: one number for every element, or its numbers (a weight as
# [units][inputs] rows, or flat), finite; the docs show the union.
InitValue = Annotated[FiniteFloat | InitVector | InitMatrix, WrapValidator(_init_value)]
InitName = Annotated[str, Field(strict=True, max_length=NAME_CHARS), AfterValidator(_init_name)]
Activations = Annotated[list[VocabularyName], count_at_most("max_hidden_layers", "activations")]
HiddenUnits = Annotated[int, Field(strict=True, ge=1), at_most("max_units")]


class ModelChoice(BaseModel):
    """The model: its kind, hidden layers, activations, output, dropout and starting values."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "mlp", "hidden": [8, 8], "activation": "tanh"},
                {"kind": "linear", "init": {"w": 1.0, "b": 0.0}},
            ]
        },
    )

    kind: Literal["linear", "perceptron", "logistic", "mlp"] = Field(description="model family")
    hidden: Annotated[list[HiddenUnits], count_at_most("max_hidden_layers", "layers")] = Field(
        default_factory=list, description="units of each hidden layer"
    )
    activation: Annotated[
        VocabularyName | Activations, by_json_type(VocabularyName, Activations)
    ] = Field("relu", description="one activation for all hidden layers, or one per layer")
    output: VocabularyName = Field(
        "auto",
        description="output activation: auto (fits the loss), none, sigmoid, tanh, "
        "softmax or log_softmax",
    )
    dropout: float = Field(
        0.0, ge=0, lt=1, allow_inf_nan=False, description="probability of dropping a hidden unit"
    )
    init: Annotated[
        Annotated[dict[InitName, InitValue], Field(max_length=2 * (LIMITS.max_hidden_layers + 1))]
        | None,
        BeforeValidator(_init_size),
    ] = Field(
        None,
        description="starting values: w and b for one layer, else layerN.weight/.bias; a number "
        "fills the parameter, a list gives its numbers (a weight as [units][inputs] rows)",
    )


class Regularization(BaseModel):
    """A penalty on the weights added to the loss."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["none", "l1", "l2"] = Field("none", description="l1: rate·Σ|w|, l2: rate·Σw²")
    rate: float = Field(
        0.0, ge=0, allow_inf_nan=False, strict=True, description="the penalty's weight"
    )


# The optimizer family of app/api/schemas/optimizers.py, shared with /graphs/optimize.
OptimizerChoice = Optimizer


class NormalizeScale(BaseModel):
    """Multiply every input column by `factor` (the textbook's t_un = 0.1 * t_u)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"kind": "scale", "factor": 0.1}]}
    )

    kind: Literal["scale"] = Field(description="scale: multiply the inputs by a constant")
    factor: FiniteFloat = Field(gt=0, le=1e6, description="what every input is multiplied by")


def _one_normalize_error(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """One sentence for a bad `normalize`, not one per form of the union."""
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError(
            "invalid_normalize",
            'must be false, true, "zscore" or {"kind": "scale", "factor": f} with 0 < f ≤ 1e6',
        ) from None


Normalize = Annotated[
    bool | Literal["zscore"] | NormalizeScale, WrapValidator(_one_normalize_error)
]


class RunCreate(BaseModel):
    """Start a training run; every field but `dataset` and `model` has a default."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "dataset": {"name": "spiral", "n_samples": 500, "noise": 0.1, "seed": 0},
                    "features": ["x1", "x2"],
                    "val_fraction": 0.2,
                    "normalize": False,
                    "model": {"kind": "mlp", "hidden": [8, 8], "activation": "tanh"},
                    "loss": "bce_with_logits",
                    "regularization": {"kind": "l2", "rate": 0.001},
                    "optimizer": {"name": "adam", "lr": 0.03},
                    "batch_size": 10,
                    "max_epochs": 1000,
                    "seed": 0,
                }
            ]
        },
    )

    dataset: DatasetChoice
    model: ModelChoice
    features: Annotated[list[FeatureValue], count_at_most("max_features", "features")] | None = (
        Field(
            None,
            description="the model's input columns: a column name (matched exactly first), a "
            "legacy spelling (x1^2, x1*x2, sin(x1)) or an object {op, of} (ops: "
            f"{', '.join(FEATURE_OPS)}); default: the dataset's inputs",
        )
    )
    val_fraction: FiniteFloat = Field(0.2, ge=0, lt=1, description="share of rows held out")
    normalize: Normalize = Field(
        False,
        description='false: the inputs as they are; true or "zscore": z-score each feature with '
        'the training split\'s mean and std; {"kind": "scale", "factor": 0.1}: multiply each by '
        "the factor",
    )
    loss: VocabularyName = Field(
        "auto", description="mse, l1, bce, bce_with_logits, nll, cross_entropy"
    )
    regularization: Regularization | None = Field(
        None, description="a penalty on the weights: {kind: l1 or l2, rate}"
    )
    optimizer: OptimizerChoice = Field(
        default_factory=default_optimizer,
        description="{name, lr, …} as in /graphs/optimize; default sgd at lr 0.01",
    )
    batch_size: int | None = Field(
        None, ge=1, le=2**31 - 1, description="rows per update; null = all"
    )
    max_epochs: Annotated[int, at_most("max_epochs")] = Field(
        1000, ge=1, description="the run finishes after this many epochs"
    )
    seed: int = Field(
        0, ge=0, le=2**31 - 1, description="seeds the split, initialisation, batches, dropout"
    )
    target_loss: FiniteFloat | None = Field(None, description="finish once train loss ≤ this")
    grid_resolution: Annotated[int, at_most("max_grid_resolution")] = Field(
        50, ge=2, description="cells per side of frame grids"
    )
    overfit_patience: Annotated[int, at_most("max_epochs")] = Field(
        20, ge=1, description="epochs val loss must stay clearly above its low to flag"
    )
    divergence_factor: FiniteFloat = Field(
        100.0, gt=1, description="an epoch loss × the first epoch's that diverges"
    )
    explode_factor: FiniteFloat = Field(
        10.0, gt=1, description="an epoch loss × the lowest, 10 epochs in a row, that diverges"
    )
    frames_per_second: Annotated[FiniteFloat, at_most("max_frames_per_second")] = Field(
        10.0, ge=0.1, description="frames streamed per second (at least 0.1)"
    )
    steps_per_frame: Annotated[int, at_most("max_steps")] | None = Field(
        None, ge=1, description="updates between frames (a speed); null = as fast as possible"
    )
    start: bool = Field(True, description="start training at once (false: created paused)")


class RunPatch(BaseModel):
    """Live changes to a run (absent fields stay as they are)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"optimizer": {"lr": 0.01}}]}
    )

    optimizer: OptimizerPatch | None = None
    lr: LearningRate | None = Field(None, description="shorthand for optimizer.lr")
    batch_size: int | None = Field(
        None, ge=1, le=2**31 - 1, description="rows per update from the next epoch; null = all"
    )
    frames_per_second: Annotated[FiniteFloat, at_most("max_frames_per_second")] | None = Field(
        None, ge=0.1, description="frames per second (at least 0.1)"
    )
    steps_per_frame: Annotated[int, at_most("max_steps")] | None = Field(
        None, ge=1, description="updates per frame; null = max"
    )


class StepRequest(BaseModel):
    """Updates to perform on a paused run."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(1, ge=1, le=10_000, description="number of updates")


class RunPublic(BaseModel):
    """A run's state."""

    id: str
    status: Literal["running", "paused", "finished", "diverged", "stopped", "failed"]
    reason: str | None = Field(description="why it paused, diverged, finished or was flagged")
    flags: list[str] = Field(description="notices such as overfitting")
    epoch: int = Field(description="epochs completed")
    step: int = Field(description="updates performed")
    metrics: dict[str, Any] = Field(description="the latest history entry, plus batch_loss")
    lr: float = Field(description="learning rate of the next update")
    batch_size: int = Field(description="rows per update")
    frames_per_second: float
    steps_per_frame: int | None
    train_seconds: float = Field(description="seconds spent training so far")
    last_event_id: int = Field(description="id of the newest event of the stream")
    resolved: dict[str, Any] = Field(description="choices made for 'auto' and the split sizes")
    config: dict[str, Any] = Field(description="the configuration the run was created with")


class HistoryPublic(BaseModel):
    """One entry per epoch: epoch, step, train_loss, val_loss, accuracies, grad_norm, lr."""

    model_config = ConfigDict(ser_json_inf_nan="strings")  # "NaN", "Infinity": strict JSON

    steps: list[dict[str, Any]]
