"""Schemas of the training-run endpoints (every number says its unit or meaning); the dataset
choice is in datasets.py, the event stream's documentation in events.py."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.datasets import DatasetChoice, FeatureValue
from app.api.schemas.optimizers import LearningRate, Optimizer, OptimizerPatch, default_optimizer
from app.train.features import FEATURE_OPS


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
    hidden: list[int] = Field(default_factory=list, description="units of each hidden layer")
    activation: str | list[str] = Field(
        "relu", description="one activation for all hidden layers, or one per layer"
    )
    output: str = Field(
        "auto",
        description="output activation: auto (fits the loss), none, sigmoid, tanh, "
        "softmax or log_softmax",
    )
    dropout: float = Field(0.0, ge=0, lt=1, description="probability of dropping a hidden unit")
    init: dict[str, Any] | None = Field(
        None, description="starting values: w and b for one layer, else layerN.weight/.bias"
    )


class Regularization(BaseModel):
    """A penalty on the weights added to the loss."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["none", "l1", "l2"] = Field("none", description="l1: rate·Σ|w|, l2: rate·Σw²")
    rate: float = Field(0.0, ge=0, description="the penalty's weight")


# The optimizer family of app/api/schemas/optimizers.py, shared with /graphs/optimize.
OptimizerChoice = Optimizer


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
    features: list[FeatureValue] | None = Field(
        None,
        description="the model's input columns: a column name (matched exactly first), a legacy "
        "spelling (x1^2, x1*x2, sin(x1)) or an object {op, of} (ops: "
        f"{', '.join(FEATURE_OPS)}); default: the dataset's inputs",
    )
    val_fraction: float = Field(0.2, ge=0, lt=1, description="share of rows held out")
    normalize: bool = Field(False, description="z-score features with the training split's stats")
    loss: str = Field("auto", description="mse, l1, bce, bce_with_logits, nll, cross_entropy")
    regularization: Regularization | None = Field(
        None, description="a penalty on the weights: {kind: l1 or l2, rate}"
    )
    optimizer: OptimizerChoice = Field(
        default_factory=default_optimizer,
        description="{name, lr, …} as in /graphs/optimize; default sgd at lr 0.01",
    )
    batch_size: int | None = Field(None, ge=1, description="rows per update; null = all")
    max_epochs: int = Field(1000, ge=1, description="the run finishes after this many epochs")
    seed: int = Field(
        0, ge=0, le=2**31 - 1, description="seeds the split, initialisation, batches, dropout"
    )
    target_loss: float | None = Field(None, description="finish once train loss ≤ this")
    grid_resolution: int = Field(50, ge=2, description="cells per side of frame grids")
    overfit_patience: int = Field(
        20, ge=1, description="epochs val loss must stay clearly above its low to flag"
    )
    divergence_factor: float = Field(
        100.0, gt=1, description="an epoch loss × the first epoch's that diverges"
    )
    explode_factor: float = Field(
        10.0, gt=1, description="an epoch loss × the lowest, 10 epochs in a row, that diverges"
    )
    frames_per_second: float = Field(
        10.0, ge=0.1, description="frames streamed per second (at least 0.1)"
    )
    steps_per_frame: int | None = Field(
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
        None, ge=1, description="rows per update from the next epoch; null = all"
    )
    frames_per_second: float | None = Field(
        None, ge=0.1, description="frames per second (at least 0.1)"
    )
    steps_per_frame: int | None = Field(None, ge=1, description="updates per frame; null = max")


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
